"""R5: 1,000 read-only queries from concurrent reader processes during 10 publishes: zero errors."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import CodeLocationLineage
from orchestration.defs.resources import (
    MarketDataResource,
    NetworkSourceResource,
    SecSourceResource,
    WarehouseResource,
)
from orchestration.defs.serving.publish import publish, served_tables
from tests.pipeline.published import copy_warehouse
from tests.pipeline_run import PipelineRun

READERS, QUERIES_EACH, PUBLISHES = 4, 250, 10

# Each reader opens the file afresh for every query, read-only, as a BI tool with a NullPool does.
READER = textwrap.dedent(
    """
    import json, sys, duckdb
    path, count, expected_tables = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    errors, runs = [], set()
    for _ in range(count):
        try:
            with duckdb.connect(path, read_only=True) as connection:
                run, tables = connection.execute(
                    "select max(run_id), count(distinct table_name) from publish_log"
                    " where published_at = (select max(published_at) from publish_log)"
                ).fetchone()
                connection.execute("select count(*) from marts.mart_revenue_mix").fetchone()
            runs.add(run)
            if tables != expected_tables:
                errors.append(f"incomplete publish: {tables} tables")
        except Exception as error:
            errors.append(repr(error))
    print(json.dumps({"errors": errors, "runs": sorted(runs), "queries": count}))
    """
)


def test_readers_never_fail_while_publish_replaces_the_file(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    serving = tmp_path / "serving.duckdb"
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(serving),
                str(QUERIES_EACH),
                str(len(served_tables())),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(READERS)
    ]
    resources = {
        "warehouse": WarehouseResource(data_dir=str(tmp_path)),
        "market_data": MarketDataResource(source="snapshot"),
        "sec": SecSourceResource(source="snapshot"),
        "network": NetworkSourceResource(source="snapshot"),
        "lineage": CodeLocationLineage(),
    }
    published = []
    for _ in range(PUBLISHES):  # the gates' history in the session's instance lets publish run on its own
        result = dg.materialize([publish], instance=pipeline.instance, resources=resources)
        assert result.success
        published.append(result.run_id)
    reports = [json.loads(reader.communicate(timeout=300)[0]) for reader in readers]

    assert all(reader.returncode == 0 for reader in readers)
    assert sum(r["queries"] for r in reports) == READERS * QUERIES_EACH
    assert [e for r in reports for e in r["errors"]] == []
    seen = {run for r in reports for run in r["runs"]}
    assert seen <= {pipeline.publish_result.run_id, *published}
    assert len(seen) > 1  # the readers saw publishes happen under them
