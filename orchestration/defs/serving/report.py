"""The convergence report: a self-contained HTML page of charts, written next to the serving file.

It reads only the published serving file (read-only), never the build warehouse, so it never shows data
that failed a gate. The page comes from orchestration.reporting (queries, figures, page).
"""

import os
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.reporting.page import build_report
from orchestration.reporting.queries import ReportError, latest_publish

REPORT_FILE = "convergence_report.html"


def report_path(warehouse: WarehouseResource) -> Path:
    return warehouse.root / REPORT_FILE


@dg.asset(
    key="convergence_report",
    deps=["publish"],
    group_name="serving",
    kinds={"python", "plotly", "html"},
    pool=WAREHOUSE_POOL,  # one report written at a time, after its own run's publish
    owners=["team:data-engineering"],
    description=(
        "Miner Convergence report: one self-contained HTML page (plotly.js inlined, opens offline) with the "
        "revenue mix by quarter around the 2024-04-20 halving, AI/HPC MW under contract, rolling betas to BTC "
        "and to AI, and event-day abnormal returns. Read only from the published serving.duckdb, so it shows "
        "gated data only; says SYNTHETIC when the published data are, and, per section, which tables are stale "
        "or missing and why."
    ),
)
def convergence_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    serving = warehouse.serving_path
    if not serving.is_file():
        raise dg.Failure(
            description=f"convergence_report: the serving file {serving} does not exist; run publish first "
            "(the report reads only published, gated data)."
        )
    try:
        with duckdb.connect(str(serving), read_only=True) as connection:
            publish = latest_publish(connection)
            report = build_report(connection)
    except ReportError as error:
        raise dg.Failure(description=f"convergence_report: {serving}: {error}") from error
    for anchor, notices in report.notices.items():
        context.log.warning(f"convergence_report: section {anchor}: {'; '.join(notices)}")
    target = report_path(warehouse)
    aside = target.with_name(f".{REPORT_FILE}.{context.run_id}")
    try:
        aside.write_text(report.page, encoding="utf-8")
        os.replace(aside, target)  # a reader sees the old page or the new one, never half of one
    finally:
        aside.unlink(missing_ok=True)
    context.log.info(f"wrote {target} ({target.stat().st_size:,} bytes) from publish run {publish.run_id}")
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(target)),
            "report_url": dg.MetadataValue.url(target.as_uri()),
            "report_bytes": target.stat().st_size,
            "publish_run_id": publish.run_id,
            "published_at": publish.published_at.isoformat(sep=" "),
            "data_as_of": publish.data_as_of.isoformat() if publish.data_as_of else "unknown",
            "source": publish.source,
            "sec_source": publish.sec_source,
            "is_synthetic": publish.is_synthetic,
            "sections_not_fresh": dg.MetadataValue.json(report.notices),
        }
    )
