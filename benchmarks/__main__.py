"""`make bench`: run P1-P5, write benchmarks/results.json and the results table in README.md.

python -m benchmarks                 # everything, 3 repeats each
python -m benchmarks --only P3 P4    # a subset; other results in results.json are kept
python -m benchmarks --repeats 1     # a quick look (the README table says how many repeats)
"""

from __future__ import annotations

import argparse
import json
import subprocess
from datetime import UTC, datetime

from benchmarks import p1_cold_run, p2_daily_partition, p3_rolling_betas, p4_scale, p5_gating
from benchmarks.common import machine
from orchestration.paths import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "benchmarks" / "results.json"
README = PROJECT_ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def measure(selected: list[str], repeats: int, stored: dict[str, dict]) -> dict[str, dict]:
    results: dict[str, dict] = {}
    if "P1" in selected or ("P5" in selected and "P1" not in stored):
        results["P1"] = p1_cold_run.run(repeats)
    if "P5" in selected:  # from the P1 runs just measured, or else the stored ones
        results["P5"] = p5_gating.run(results.get("P1") or stored["P1"], repeats)
    if "P2" in selected:
        results["P2"] = p2_daily_partition.run(repeats)
    if "P3" in selected:
        results["P3"] = p3_rolling_betas.run(repeats)
    if "P4" in selected:
        results["P4"] = p4_scale.run(repeats)
    return results


def headline(result: dict) -> str:
    """The one figure per benchmark that the README table shows."""
    match result["id"]:
        case "P1":
            return (
                f"{result['wall_seconds_median']:.1f} s; floor {result['floor_seconds_median']:.1f} s, "
                f"ratio {result['ratio_to_floor_median']:.2f}x"
            )
        case "P2":
            return (
                f"{result['wall_seconds_median']:.1f} s; floor {result['floor_seconds_median']:.1f} s, "
                f"ratio {result['ratio_to_floor_median']:.2f}x; dbt node time "
                f"{result['dbt_node_share_median']:.0%} of a cold build's ({result['cold_dbt_node_seconds']:.1f} s)"
            )
        case "P3":
            return (
                f"fit + mart {result['sql_seconds_median']:.1f} s vs statsmodels OLS + HAC loop "
                f"{result['statsmodels_seconds_median']:.0f} s (timed on {result['sample_tickers']} tickers, scaled): "
                f"{result['speedup']:.0f}x; vs RollingOLS without HAC {result['speedup_vs_rolling_ols']:.1f}x; "
                f"max abs diff {max(result['max_abs_diff'].values()):.1e}"
            )
        case "P4":
            return result["summary"]
        case "P5":
            return (
                f"{result['share_median']:.1%} (gate steps {', '.join(map(str, result['gate_seconds']))} s; "
                f"GE's import, inside the first, {result['ge_import_seconds_alone']:.1f} s alone)"
            )
    return ""


def table(results: dict[str, dict], meta: dict) -> str:
    lines = [
        TABLE_START,
        f"Measured on {meta['machine']['cpus']} cores, {meta['machine']['memory_gib']} GiB, "
        f"Python {meta['machine']['python']}; medians of {meta['repeats']} runs "
        "(`make bench`, raw figures in benchmarks/results.json).",
        "",
        "| | benchmark | target | measured | met | commit |",
        "|---|---|---|---|---|---|",
    ]
    for key in sorted(results):
        result = results[key]
        met = "yes" if result["passed"] else "**no**"
        commit = result.get("commit", meta["commit"])
        lines.append(f"| {key} | {result['what']} | {result['target']} | {headline(result)} | {met} | {commit} |")
    lines.append(TABLE_END)
    return "\n".join(lines)


def write_readme_table(text: str) -> None:
    readme = README.read_text()
    start, end = readme.index(TABLE_START), readme.index(TABLE_END) + len(TABLE_END)
    README.write_text(readme[:start] + text + readme[end:])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=["P1", "P2", "P3", "P4", "P5"], default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    selected = args.only or ["P1", "P2", "P3", "P4", "P5"]

    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"results": {}}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    meta = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d"),
        "commit": commit or "unknown",
        "machine": machine(),
        "repeats": args.repeats,
    }
    measured = measure(selected, args.repeats, stored["results"])
    for result in measured.values():
        result.update(commit=meta["commit"], measured_at=meta["measured_at"])
    results = {**stored["results"], **measured}
    RESULTS.write_text(json.dumps({**meta, "results": results}, indent=2) + "\n")
    text = table(results, meta)
    write_readme_table(text)
    print(text)
    failed = [key for key, result in results.items() if not result["passed"]]
    print(f"targets missed: {', '.join(failed)}" if failed else "every target met")


if __name__ == "__main__":
    main()
