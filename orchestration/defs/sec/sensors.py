"""Polls the universe's EDGAR submissions and launches the SEC assets when a new report is filed."""

import json

import dagster as dg

from orchestration.defs.resources import SecSourceResource, WarehouseResource
from orchestration.defs.sec.assets import universe_companies
from orchestration.defs.sec.jobs import sec_filings_job
from orchestration.sources.errors import SecDataError
from orchestration.sources.sec.source import EdgarSource
from orchestration.sources.sec.submissions import parse_submissions

WATCHED_FORMS = frozenset({"10-Q", "10-Q/A", "10-K", "10-K/A", "10-KT", "8-K", "8-K/A", "20-F", "40-F"})


def filing_marker(row: dict) -> str:
    """Sortable position of a filing in a company's history: filing date, then accession."""
    return f"{row['filing_date'].isoformat()}|{row['accession_number']}"


@dg.sensor(
    job=sec_filings_job,
    minimum_interval_seconds=15 * 60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Every 15 minutes, reads each company's submissions index; a 10-Q, 10-K or 8-K newer than the "
    "cursor launches the SEC assets and everything downstream. The cursor keeps, per CIK, the newest filing seen.",
)
def sec_filings_sensor(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource, sec: SecSourceResource
) -> dg.SensorResult | dg.SkipReason:
    source = sec.build(cache_dir=warehouse.root / "cache" / "edgar")
    if not isinstance(source, EdgarSource):
        return dg.SkipReason(f"the {source.name} source has no submissions index to poll")
    cursor: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    new_filings: list[str] = []
    for company in universe_companies():
        try:
            body, fetched = source.submissions(company)
            rows = parse_submissions(body, company.cik, fetched[0].origin)
        except SecDataError as error:
            context.log.warning(str(error))
            continue
        watched = [filing_marker(row) for row in rows if row["form"] in WATCHED_FORMS]
        newer = sorted(marker for marker in watched if marker > cursor.get(company.cik, ""))
        if newer:
            new_filings += [f"{company.ticker} {marker.split('|')[1]}" for marker in newer]
            cursor[company.cik] = newer[-1]
    new_cursor = json.dumps(cursor, sort_keys=True)
    if not new_filings:
        return dg.SensorResult(skip_reason=dg.SkipReason("no new 10-Q, 10-K or 8-K"), cursor=new_cursor)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"sec-{new_cursor}",
                tags={"miners/new_filings": str(len(new_filings))},
            )
        ],
        cursor=new_cursor,
    )
