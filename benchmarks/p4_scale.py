"""P4: scale. The full build (`miners run`) on 10, 100 and 1,000 tickers x 10 years of SYNTHETIC prices.

Targets: every size publishes, growth no worse than 1.1x linear from one size to the next ((t(N2)/t(N1)) /
(N2/N1) <= 1.1), and at 1,000 tickers a peak RSS of at most 4 GiB and at most 2 GiB of DuckDB spill files (the
warehouse's .tmp folder, sampled every half second; a build past 8 GiB is killed so it cannot fill the disk).

Each size gets its universe once (benchmarks/synthetic_universe.py, not timed): a copy of the project whose
miners seed holds N companies, and a folder of `<TICKER>.csv` price files. Each measured build then runs, in
that copy, `python -m orchestration.cli run` with MINERS_SOURCE=csv, a fresh MINERS_DATA_DIR, a fresh
DAGSTER_HOME (orchestration/instance/dagster.yaml) and no dbt target/ (a cold `dbt parse`, as on a fresh
checkout). PYTHONPATH is the copy, so its `orchestration` package and PROJECT_ROOT win over the editable
install of the repository (checked before the first build); the environment is built from scratch for the
MINERS_*, DAGSTER_* and SEC_* settings, and the copy has no .env, so the repository's .env cannot leak in.

Each build runs under a fresh helper process that starts it, samples the RSS of the whole process tree (the
build and its dbt subprocesses, summed, from /proc every 0.1 s), timestamps every output line, and reports
the wall time, CPU time, the sampled tree peak and `getrusage(RUSAGE_CHILDREN).ru_maxrss` (the largest single
process). The rounds interleave the sizes (round 1: 10, 100, 1000; round 2: ...), so the ratios of one round
compare builds made under the same machine load; the report gives medians over the rounds, and the ratios
both of the medians and within each round. Row counts are read afterwards (read-only) from the build's
warehouse.duckdb; per-step durations come from the progress lines `miners run` prints.

    uv run python -m benchmarks.p4_scale [--repeats 3] [--sizes 10 100 1000] [--years 10] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from benchmarks.synthetic_universe import END, SyntheticUniverse, write_universe

REPO = Path(__file__).resolve().parents[1]
DAGSTER_YAML = REPO / "orchestration" / "instance" / "dagster.yaml"
TARGET_GROWTH = 1.1
TARGET_PEAK_RSS_GIB = 4.0
TARGET_TEMP_GIB = 2.0
GIB = 1024**3
TEMP_KILL_BYTES = 8 * GIB  # a build spilling past this is killed (and fails P4) before it fills the disk
RUN_TIMEOUT_S = 4 * 3600
# cleared from the inherited environment, then set explicitly
CONTROLLED_PREFIXES = ("MINERS_", "DAGSTER_", "SEC_", "DBT_")
CONTROLLED_NAMES = ("PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV")

STEP_LINE = re.compile(r"^\[\s*([\d.]+)s\] finished (\S+) in ([\d.]+)s")
FAILED_LINE = re.compile(r"^\[\s*([\d.]+)s\] FAILED\s+(\S+): (.*)")
STARTED_LINE = re.compile(r"^\[\s*([\d.]+)s\] started\s+(\S+)")

# Runs in a fresh interpreter per build, so that RUSAGE_CHILDREN only holds that build's processes.
# argv[1]: JSON {"cmd", "cwd", "env", "log", "timeout"}; prints one JSON line.
MEASURE = r"""
import json, os, resource, signal, subprocess, sys, threading, time

spec = json.loads(sys.argv[1])
page = os.sysconf("SC_PAGE_SIZE")

def tree_rss(root):
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    stat = f.read()
                parents.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    total, stack, count = 0, [root], 0
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
            count += 1
        except (OSError, ValueError, IndexError):
            pass
        stack.extend(parents.get(pid, []))
    return total, count

lines = []
started = time.monotonic()
proc = subprocess.Popen(
    spec["cmd"], cwd=spec["cwd"], env=spec["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    text=True, errors="replace", start_new_session=True,
)

def reader():
    with open(spec["log"], "w", buffering=1) as log:
        for line in proc.stdout:
            stamp = time.monotonic() - started
            lines.append((stamp, line.rstrip("\n")))
            log.write(f"{stamp:9.2f} | {line}")

def temp_bytes(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total

thread = threading.Thread(target=reader, daemon=True)
thread.start()
peak, peak_at, peak_processes, timed_out, temp_peak, temp_exceeded, tick = 0, 0.0, 0, False, 0, False, 0
while proc.poll() is None:
    rss, processes = tree_rss(proc.pid)
    if rss > peak:
        peak, peak_at, peak_processes = rss, time.monotonic() - started, processes
    if tick % 5 == 0:  # DuckDB's spill files, every half second
        temp_peak = max(temp_peak, temp_bytes(spec["temp_dir"]))
        if temp_peak > spec["temp_limit"]:
            temp_exceeded = True
            os.killpg(proc.pid, signal.SIGKILL)
            break
    if time.monotonic() - started > spec["timeout"]:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        break
    tick += 1
    time.sleep(0.1)
proc.wait()
wall = time.monotonic() - started
thread.join(timeout=30)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "returncode": proc.returncode,
    "timed_out": timed_out,
    "temp_peak_bytes": temp_peak,
    "temp_limit_exceeded": temp_exceeded,
    "wall_s": wall,
    "cpu_s": usage.ru_utime + usage.ru_stime,
    "tree_peak_rss_bytes": peak,
    "tree_peak_at_s": peak_at,
    "tree_peak_processes": peak_processes,
    "max_process_rss_bytes": usage.ru_maxrss * 1024,
    "lines": lines,
}))
"""


def build_env(universe: SyntheticUniverse, data_dir: Path, dagster_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONTROLLED_PREFIXES) and k not in CONTROLLED_NAMES}
    env.update(
        PYTHONPATH=str(universe.project_dir),
        MINERS_SOURCE="csv",
        MINERS_CSV_DIR=str(universe.prices_dir),
        MINERS_HISTORY_START=universe.start.isoformat(),
        MINERS_SEC_SOURCE="snapshot",
        MINERS_DATA_DIR=str(data_dir),
        DAGSTER_HOME=str(dagster_home),
        SEC_USER_AGENT="",
        MINERS_SEC_FILES_DIR="",
        PYTHONUNBUFFERED="1",
    )
    return env


def check_isolation(universe: SyntheticUniverse, env: dict[str, str]) -> dict[str, str]:
    """The copy's `orchestration` (and PROJECT_ROOT) must be the ones imported, and no .env in the copy."""
    probe = (
        "import json, orchestration, orchestration.paths as p; "
        "print(json.dumps({'orchestration': orchestration.__file__, 'project_root': str(p.PROJECT_ROOT)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=universe.project_dir, env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    copy = universe.project_dir.resolve()
    if Path(found["project_root"]).resolve() != copy or copy not in Path(found["orchestration"]).resolve().parents:
        raise RuntimeError(f"the copy's orchestration package is not the one imported: {found}")
    if (copy / ".env").exists():
        raise RuntimeError(f"{copy / '.env'} exists: the repository's settings would leak into the build")
    return found


def parse_progress(lines: list[tuple[float, str]]) -> dict:
    """Per-step durations and the phases around them, from the timestamped output of `miners run`."""
    steps: dict[str, float] = {}
    failed: dict[str, str] = {}
    first_started = last_finished = None
    source_line = None
    for stamp, line in lines:
        if line.startswith("miners run: source=") and source_line is None:
            source_line = stamp
        if (match := STARTED_LINE.match(line)) and first_started is None:
            first_started = stamp
        if match := STEP_LINE.match(line):
            steps[match.group(2)] = float(match.group(3))
            last_finished = stamp
        if match := FAILED_LINE.match(line):
            failed[match.group(2)] = match.group(3)[:300]
            last_finished = stamp
    summary = [
        line for _, line in lines if line.startswith("miners run: ") and ("succeeded;" in line or "FAILED;" in line)
    ]
    return {
        "steps_s": steps,
        "failed_steps": failed,
        # dbt parse (started first, in parallel), imports and the CSV source's coverage scan
        "startup_to_source_line_s": source_line,
        # definitions (manifest), job planning over the partitions, run creation
        "startup_to_first_step_s": first_started,
        "after_last_step_s": None,  # filled by the caller (needs the wall time)
        "last_step_end_s": last_finished,
        "summary": summary[-1] if summary else None,
        "gate_failures": [line for _, line in lines if line.startswith(("GATE FAILED", "CHECK WARNING"))],
    }


def warehouse_counts(data_dir: Path) -> dict:
    """Rows of the main tables (read-only) and the sizes of what the build wrote."""
    counts: dict = {}
    database = data_dir / "warehouse.duckdb"
    if database.exists():
        with duckdb.connect(str(database), read_only=True) as connection:
            for table in (
                "raw.market_prices",
                "intermediate.int_daily_returns",
                "marts.mart_factor_exposure",
                "marts.mart_event_reactions",
                "marts.mart_ai_capacity_exposure",
                "marts.mart_revenue_mix",
            ):
                try:
                    counts[table] = connection.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 - constant tables
                except duckdb.Error:
                    counts[table] = None
            try:
                counts["raw.market_prices.tickers"] = connection.execute(
                    "select count(distinct ticker) from raw.market_prices"
                ).fetchone()[0]
            except duckdb.Error:
                counts["raw.market_prices.tickers"] = None
    sizes = {}
    for name in ("warehouse.duckdb", "serving.duckdb", "convergence_report.html"):
        path = data_dir / name
        sizes[name] = path.stat().st_size if path.exists() else None
    return {"rows": counts, "bytes": sizes}


def measure_build(universe: SyntheticUniverse, run_dir: Path, timeout: float = RUN_TIMEOUT_S) -> dict:
    """One cold full build of the universe's project copy, in its own helper process."""
    data_dir, dagster_home = run_dir / "warehouse", run_dir / "dagster_home"
    dagster_home.mkdir(parents=True)
    shutil.copyfile(DAGSTER_YAML, dagster_home / "dagster.yaml")
    for stale in ("target", "logs"):  # a cold dbt parse every time, as on a fresh checkout
        shutil.rmtree(universe.project_dir / "dbt_project" / stale, ignore_errors=True)
    env = build_env(universe, data_dir, dagster_home)
    spec = {
        "cmd": [sys.executable, "-m", "orchestration.cli", "run"],
        "cwd": str(universe.project_dir),
        "env": env,
        "log": str(run_dir / "build.log"),
        "timeout": timeout,
        "temp_dir": str(data_dir / "warehouse.duckdb.tmp"),  # DuckDB's default spill folder
        "temp_limit": TEMP_KILL_BYTES,
    }
    helper = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(spec)], capture_output=True, text=True, check=True
    )
    measured = json.loads(helper.stdout.strip().splitlines()[-1])
    lines = measured.pop("lines")
    progress = parse_progress(lines)
    if progress["last_step_end_s"] is not None:
        progress["after_last_step_s"] = measured["wall_s"] - progress["last_step_end_s"]
    succeeded = measured["returncode"] == 0 and bool(progress["summary"]) and "succeeded" in progress["summary"]
    result = {
        **measured,
        "succeeded": succeeded,
        "tree_peak_rss_gib": measured["tree_peak_rss_bytes"] / GIB,
        "temp_peak_gib": measured["temp_peak_bytes"] / GIB,
        "max_process_rss_gib": measured["max_process_rss_bytes"] / GIB,
        "progress": progress,
        **warehouse_counts(data_dir),
        "log": spec["log"],
    }
    if not succeeded:
        result["output_tail"] = [line for _, line in lines[-40:]]
    return result


def _seconds(value: float | None) -> str:
    return "failed" if value is None else f"{value:.0f} s"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _growth(t_small: float | None, t_large: float | None, n_small: int, n_large: int) -> dict | None:
    if not t_small or not t_large:
        return None
    ratio = t_large / t_small
    return {"ratio": ratio, "linear_ratio": n_large / n_small, "growth_factor_vs_linear": ratio / (n_large / n_small)}


def summarize(sizes: list[int], runs: dict[int, list[dict]]) -> dict:
    per_size = {}
    for n in sizes:
        ok = [r for r in runs[n] if r["succeeded"]]
        steps: dict[str, list[float]] = {}
        for r in ok:
            for step, seconds in r["progress"]["steps_s"].items():
                steps.setdefault(step, []).append(seconds)
        median_steps = {step: _median(v) for step, v in steps.items()}
        phases = {
            key: _median([r["progress"][key] for r in ok if r["progress"][key] is not None])
            for key in ("startup_to_source_line_s", "startup_to_first_step_s", "after_last_step_s")
        }
        rows = ok[-1]["rows"] if ok else (runs[n][-1]["rows"] if runs[n] else {})
        per_size[n] = {
            "runs": len(runs[n]),
            "succeeded": len(ok),
            "median_wall_s": _median([r["wall_s"] for r in ok]),
            "walls_s": [round(r["wall_s"], 2) for r in runs[n]],
            "median_cpu_s": _median([r["cpu_s"] for r in ok]),
            "peak_tree_rss_gib": max((r["tree_peak_rss_gib"] for r in runs[n]), default=None),
            "peak_temp_gib": max((r["temp_peak_gib"] for r in runs[n]), default=None),
            "median_tree_peak_rss_gib": _median([r["tree_peak_rss_gib"] for r in ok]),
            "max_process_rss_gib": max((r["max_process_rss_gib"] for r in runs[n]), default=None),
            "rows": rows,
            "bytes": ok[-1]["bytes"] if ok else None,
            "median_steps_s": dict(sorted(median_steps.items(), key=lambda kv: -kv[1])),
            "median_phases_s": phases,
        }
    growth = []
    for small, large in zip(sizes, sizes[1:], strict=False):
        a, b = per_size[small], per_size[large]
        wall = _growth(a["median_wall_s"], b["median_wall_s"], small, large)
        cpu = _growth(a["median_cpu_s"], b["median_cpu_s"], small, large)
        rounds = [
            _growth(ra["wall_s"], rb["wall_s"], small, large)["growth_factor_vs_linear"]
            for ra, rb in zip(runs[small], runs[large], strict=False)
            if ra["succeeded"] and rb["succeeded"]
        ]
        marginal = (
            (b["median_wall_s"] - a["median_wall_s"]) / (large - small)
            if a["median_wall_s"] and b["median_wall_s"]
            else None
        )
        step_growth = {}
        for step, t_large in b["median_steps_s"].items():
            t_small = a["median_steps_s"].get(step)
            if t_small and t_large >= 1.0:
                step_growth[step] = round((t_large / t_small) / (large / small), 3)
        growth.append(
            {
                "from": small,
                "to": large,
                "wall": wall,
                "cpu": cpu,
                "wall_growth_factor_per_round": rounds,
                "median_wall_growth_factor_per_round": _median(rounds),
                "marginal_wall_s_per_ticker": marginal,
                "meets_target": bool(wall and wall["growth_factor_vs_linear"] <= TARGET_GROWTH),
                "step_growth_factor_vs_linear": dict(sorted(step_growth.items(), key=lambda kv: -kv[1])),
            }
        )
    largest = sizes[-1]
    return {
        "per_size": per_size,
        "growth": growth,
        "peak_rss_target": {
            "size": largest,
            "peak_tree_rss_gib": per_size[largest]["peak_tree_rss_gib"],
            "target_gib": TARGET_PEAK_RSS_GIB,
            "meets_target": (per_size[largest]["peak_tree_rss_gib"] or 1e9) <= TARGET_PEAK_RSS_GIB,
        },
        "temp_disk_target": {
            "size": largest,
            "peak_temp_gib": per_size[largest]["peak_temp_gib"],
            "target_gib": TARGET_TEMP_GIB,
            "meets_target": (per_size[largest]["peak_temp_gib"] or 0) <= TARGET_TEMP_GIB,
        },
        "all_published": all(per_size[n]["succeeded"] == per_size[n]["runs"] for n in sizes),
    }


def run(
    repeats: int = 3,
    sizes: tuple[int, ...] = (10, 100, 1000),
    years: int = 10,
    end: date = END,
    workdir: Path | None = None,
    keep: bool = False,
    timeout: float = RUN_TIMEOUT_S,
) -> dict:
    """Generate each size's universe once, then `repeats` rounds of one cold build per size; JSON-serialisable."""
    sizes = tuple(sorted(sizes))
    root = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="p4_scale_"))
    root.mkdir(parents=True, exist_ok=True)
    universes: dict[int, SyntheticUniverse] = {}
    isolation = {}
    for n in sizes:
        universes[n] = write_universe(root / f"universe_{n}", n, years, end)
        print(f"p4: universe {n} tickers written in {universes[n].seconds:.1f}s ({universes[n].price_rows} rows)")
        probe_env = build_env(universes[n], root / "probe", root / "probe")
        isolation[n] = check_isolation(universes[n], probe_env)
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    for round_index in range(repeats):
        for n in sizes:
            run_dir = root / f"universe_{n}" / f"run_{round_index}"
            shutil.rmtree(run_dir, ignore_errors=True)
            result = measure_build(universes[n], run_dir, timeout)
            runs[n].append(result)
            print(
                f"p4: round {round_index + 1}/{repeats}, {n} tickers: "
                f"{'ok' if result['succeeded'] else 'FAILED'}, wall {result['wall_s']:.1f}s, "
                f"cpu {result['cpu_s']:.1f}s, tree peak {result['tree_peak_rss_gib']:.2f} GiB, "
                f"largest process {result['max_process_rss_gib']:.2f} GiB",
                flush=True,
            )
            if not keep:  # the warehouses are large; the log stays
                for name in ("warehouse", "dagster_home"):
                    shutil.rmtree(run_dir / name, ignore_errors=True)
    summary = summarize(list(sizes), runs)
    largest = summary["peak_rss_target"]
    growth_factors = [g["wall"]["growth_factor_vs_linear"] for g in summary["growth"] if g["wall"]]
    report = {
        "id": "P4",
        "what": f"full build (`miners run`) on {', '.join(map(str, sizes))} SYNTHETIC tickers x {years} years",
        "target": (
            f"every size publishes; growth <= {TARGET_GROWTH}x linear; at {sizes[-1]}: peak RSS <= "
            f"{TARGET_PEAK_RSS_GIB:.0f} GiB, temp disk <= {TARGET_TEMP_GIB:.0f} GiB"
        ),
        "passed": summary["all_published"]
        and all(g["meets_target"] for g in summary["growth"])
        and largest["meets_target"]
        and summary["temp_disk_target"]["meets_target"],
        "summary": (
            " / ".join(
                f"{n}: {_seconds(summary['per_size'][n]['median_wall_s'])}"
                f" ({summary['per_size'][n]['succeeded']}/{summary['per_size'][n]['runs']} published)"
                for n in sizes
            )
            + f"; growth vs linear {', '.join(f'{g:.2f}' for g in growth_factors)}"
            + f"; at {largest['size']}: peak RSS {largest['peak_tree_rss_gib']:.2f} GiB,"
            + f" temp disk {summary['temp_disk_target']['peak_temp_gib']:.2f} GiB"
        ),
        "benchmark": "P4 scale: full build (miners run) on N tickers x years of SYNTHETIC prices",
        "synthetic": True,
        "years": years,
        "end": end.isoformat(),
        "repeats": repeats,
        "sizes": list(sizes),
        "targets": {"growth_factor_vs_linear_max": TARGET_GROWTH, "peak_rss_gib_max": TARGET_PEAK_RSS_GIB},
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_end": list(os.getloadavg()),
        },
        "workdir": str(root),
        "universes": {n: u.as_dict() for n, u in universes.items()},
        "isolation_check": isolation,
        "runs": runs,
        **summary,
    }
    if not keep:
        for u in universes.values():
            shutil.rmtree(u.prices_dir, ignore_errors=True)
            shutil.rmtree(u.project_dir, ignore_errors=True)
    return report


def _print_summary(report: dict) -> None:
    print(f"\nP4 scale ({report['years']} years, {report['repeats']} rounds, SYNTHETIC data)")
    header = ("tickers", "ok", "wall s (median)", "cpu s", "tree peak GiB", "rows raw", "rows fx")
    widths = (8, 5, 16, 8, 14, 10, 10)
    print(" ".join(f"{name:>{width}}" for name, width in zip(header, widths, strict=True)))
    for n, s in report["per_size"].items():
        rows = s["rows"] or {}
        print(
            f"{n:>8} {s['succeeded']}/{s['runs']:<3} {s['median_wall_s'] or float('nan'):>16.1f} "
            f"{s['median_cpu_s'] or float('nan'):>8.1f} {s['peak_tree_rss_gib'] or float('nan'):>14.2f} "
            f"{rows.get('raw.market_prices') or 0:>10} {rows.get('marts.mart_factor_exposure') or 0:>10}"
        )
    for g in report["growth"]:
        wall = g["wall"] or {}
        print(
            f"{g['from']} -> {g['to']}: wall x{wall.get('ratio', float('nan')):.2f} "
            f"(growth vs linear {wall.get('growth_factor_vs_linear', float('nan')):.3f}, target <= {TARGET_GROWTH}; "
            f"per round {[round(x, 3) for x in g['wall_growth_factor_per_round']]}), "
            f"marginal {g['marginal_wall_s_per_ticker'] or float('nan'):.3f} s/ticker"
        )
    p = report["peak_rss_target"]
    peak = p["peak_tree_rss_gib"] or float("nan")
    print(f"peak tree RSS at {p['size']}: {peak:.2f} GiB (target <= {p['target_gib']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--workdir", type=Path, help="where universes and runs go (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the universes and warehouses")
    parser.add_argument("--out", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)
    report = run(args.repeats, tuple(args.sizes), args.years, workdir=args.workdir, keep=args.keep)
    text = json.dumps(report, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)
    _print_summary(report)
    ok = all(g["meets_target"] for g in report["growth"]) and report["peak_rss_target"]["meets_target"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
