"""P2: one scheduled market update end to end (raw, marts, gates, publish), as the after-close schedule runs it.

Set-up (not timed): a full run on the snapshot that stops `repeats` sessions before its last day. Then each
following session D is loaded as the after-close schedule loads it, by `miners run --job market_data_job
--start D --end D` in a new process (a Dagster run worker is a new process too): the partition of D's month
(its bars, up to the source's last day), the dbt models built from them with their tests, the GE gates, publish and
the report.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import exchange_calendars as xcals

from benchmarks.common import fresh_instance, median, miners, pipeline_env, timed
from orchestration.sources.market import snapshot_coverage

TARGET_SECONDS = 15.0


def last_sessions(end: date, count: int) -> list[date]:
    sessions = xcals.get_calendar("XNYS").sessions_in_range(date(end.year - 1, 1, 1), end)
    return [day.date() for day in sessions[-count:]]


def run(repeats: int = 3) -> dict[str, object]:
    _, end = snapshot_coverage()
    days = last_sessions(end, repeats)
    with tempfile.TemporaryDirectory(prefix="bench_p2_") as tmp:
        root = Path(tmp)
        env = pipeline_env(**fresh_instance(root / "run"), DBT_TARGET_PATH=str(root / "dbt_target"))
        set_up = timed(miners("run", "--end", str(days[0] - timedelta(days=1))), env)
        set_up.check("set-up run")
        runs = []
        for day in days:
            new = timed(miners("run", "--job", "market_data_job", "--start", str(day), "--end", str(day)), env)
            new.check(f"market_data_job for {day}")
            if "miners run: succeeded" not in new.output:
                raise RuntimeError(f"market_data_job for {day} did not succeed:\n{new.output[-4000:]}")
            runs.append({"partition": str(day), "wall": new.wall, "peak_rss_mb": new.peak_rss_mb, "steps": new.steps})
    wall = median([r["wall"] for r in runs])
    return {
        "id": "P2",
        "what": "one scheduled update (the month of session D): `miners run --job market_data_job --start D --end D`",
        "repeats": repeats,
        "set_up_seconds": set_up.wall,
        "wall_seconds_median": wall,
        "wall_seconds": [r["wall"] for r in runs],
        "runs": runs,
        "target": f"<= {TARGET_SECONDS:.0f} s",
        "passed": wall <= TARGET_SECONDS,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
