"""P5: the share of a run's wall time spent in the GE gates, from the P1 cold runs (same runs, same clock).

A gate is a Dagster asset-check step `<asset>_ge_gate` (raw and mart GE suites). Great Expectations is
imported lazily by the first gate, so its import (measured alone here, for the record) is inside that
step's time already: a run without gates would not import it at all.
"""

from __future__ import annotations

from benchmarks.common import median, miners, pipeline_env, timed

TARGET_SHARE = 0.25


def import_seconds(module: str, repeats: int) -> float:
    env = pipeline_env()
    baseline = median([timed([miners()[0], "-c", "pass"], env).wall for _ in range(repeats)])
    loaded = median([timed([miners()[0], "-c", f"import {module}"], env).wall for _ in range(repeats)])
    return round(loaded - baseline, 3)


def run(p1: dict, repeats: int = 3) -> dict[str, object]:
    ge_import = import_seconds("great_expectations", repeats)
    shares, gate_seconds = [], []
    for cold_run in p1["runs"]:
        gates = sum(seconds for step, seconds in cold_run["steps"].items() if step.endswith("_ge_gate"))
        gate_seconds.append(round(gates, 2))
        shares.append(gates / cold_run["wall"])
    share = median(shares)
    return {
        "id": "P5",
        "what": "share of the P1 cold runs' wall time spent in GE gate steps (including GE's import in the first)",
        "gate_steps": sorted(s for s in p1["runs"][0]["steps"] if s.endswith("_ge_gate")),
        "gate_seconds": gate_seconds,
        "ge_import_seconds_alone": ge_import,
        "share_median": share,
        "target": f"<= {TARGET_SHARE:.0%}",
        "passed": share <= TARGET_SHARE,
    }
