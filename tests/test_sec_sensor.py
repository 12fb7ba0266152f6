"""The SEC sensor: a new filing launches the SEC job once; the cursor keeps it from firing twice."""

import json
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import SecSourceResource, WarehouseResource
from orchestration.defs.sec.assets import universe_companies


def evaluate(tmp_path: Path, cursor: str | None, **sec) -> dg.SensorResult | dg.SkipReason:
    from orchestration.defs.sec.sensors import sec_filings_sensor

    context = dg.build_sensor_context(
        cursor=cursor,
        resources={
            "warehouse": WarehouseResource(data_dir=str(tmp_path)),
            "sec": SecSourceResource(**(sec or {"source": "snapshot"})),
        },
    )
    return sec_filings_sensor(context)


def test_new_filings_launch_one_run_and_the_cursor_remembers_them(tmp_path: Path, dbt_manifest: Path):
    first = evaluate(tmp_path, None)
    assert len(first.run_requests) == 1
    cursor = json.loads(first.cursor)
    assert set(cursor) == {c.cik for c in universe_companies()}
    assert int(first.run_requests[0].tags["miners/new_filings"]) > len(cursor)

    second = evaluate(tmp_path, first.cursor)
    assert not second.run_requests and second.cursor == first.cursor

    # a company whose filings were not seen yet: one run, and the cursor catches up
    clsk = next(c for c in universe_companies() if c.ticker == "CLSK")
    older = dict(cursor, **{clsk.cik: "2000-01-01|0000000000-00-000000"})
    third = evaluate(tmp_path, json.dumps(older, sort_keys=True))
    assert len(third.run_requests) == 1 and json.loads(third.cursor) == cursor


def test_files_source_has_nothing_to_poll(tmp_path: Path, dbt_manifest: Path):
    result = evaluate(tmp_path, None, source="files", files_dir=str(tmp_path))
    assert isinstance(result, dg.SkipReason)
