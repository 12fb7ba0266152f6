"""P2: one scheduled market update end to end (raw, marts, gates, publish), as the after-close schedule runs it.

Set-up (not timed): a full run on the snapshot that stops `repeats` sessions before its last day. Then each
following session D is loaded as the after-close schedule loads it, by `miners run --job market_data_job
--start D --end D` in a new process (a Dagster run worker is a new process too): the partition of D's month
(its bars, up to the source's last day), the dbt models built from them with their tests (the incremental ones
updated), the GE gates, publish and the report. Against the stack's floor (P1's, measured here alongside), and the
dbt build's node time against the set-up run's, a cold build.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import exchange_calendars as xcals

from benchmarks.common import dbt_node_seconds, fresh_instance, median, miners, pipeline_env, timed
from benchmarks.p1_cold_run import measure_floor
from orchestration.sources.market import snapshot_coverage

TARGET_FLOOR_RATIO = 1.25
TARGET_NODE_SHARE = 0.10  # of the cold build's dbt node time


def last_sessions(end: date, count: int) -> list[date]:
    sessions = xcals.get_calendar("XNYS").sessions_in_range(date(end.year - 1, 1, 1), end)
    return [day.date() for day in sessions[-count:]]


def run(repeats: int = 3) -> dict[str, object]:
    _, end = snapshot_coverage()
    days = last_sessions(end, repeats)
    with tempfile.TemporaryDirectory(prefix="bench_p2_") as tmp:
        root = Path(tmp)
        target = root / "dbt_target"
        env = pipeline_env(**fresh_instance(root / "run"), DBT_TARGET_PATH=str(target))
        set_up = timed(miners("run", "--end", str(days[0] - timedelta(days=1))), env)
        set_up.check("set-up run")
        cold_nodes = dbt_node_seconds(target)
        runs, floors = [], []
        for index, day in enumerate(days):
            floors.append(measure_floor(root / f"floor{index}")["total"])
            new = timed(miners("run", "--job", "market_data_job", "--start", str(day), "--end", str(day)), env)
            new.check(f"market_data_job for {day}")
            if "miners run: succeeded" not in new.output:
                raise RuntimeError(f"market_data_job for {day} did not succeed:\n{new.output[-4000:]}")
            runs.append(
                {
                    "partition": str(day),
                    "wall": new.wall,
                    "dbt_node_seconds": dbt_node_seconds(target),
                    "peak_rss_mb": new.peak_rss_mb,
                    "steps": new.steps,
                }
            )
    wall, floor = median([r["wall"] for r in runs]), median(floors)
    ratio = median([r["wall"] / f for r, f in zip(runs, floors, strict=True)])
    node_share = median([r["dbt_node_seconds"] for r in runs]) / cold_nodes
    return {
        "id": "P2",
        "what": "one scheduled update (the month of session D): `miners run --job market_data_job --start D --end D`",
        "repeats": repeats,
        "set_up_seconds": set_up.wall,
        "cold_dbt_node_seconds": cold_nodes,
        "wall_seconds_median": wall,
        "wall_seconds": [r["wall"] for r in runs],
        "floor_seconds_median": floor,
        "ratio_to_floor_median": ratio,
        "dbt_node_share_median": round(node_share, 4),
        "runs": runs,
        "target": f"<= {TARGET_FLOOR_RATIO}x floor, dbt node time <= {TARGET_NODE_SHARE:.0%} of a cold build's",
        "passed": ratio <= TARGET_FLOOR_RATIO and node_share <= TARGET_NODE_SHARE,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
