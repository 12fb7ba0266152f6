"""The raw SEC assets: filings index, companyfacts, and the revenue facts of each filing's XBRL.

Each company (and each filing) loads on its own: a bad response is recorded in raw.sec_load_errors with
the CIK, accession and document, nothing of it is written, and the rest still loads. The `load_errors`
check on each asset shows what failed. A bad response is kept under raw/sec/ like a good one, also when the
client rejected it before the asset saw it (malformed JSON), and its path is in the error's payload_path.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pandas as pd

from orchestration.defs.resources import RAW_ASSET, WAREHOUSE_POOL, SecSourceResource, WarehouseResource
from orchestration.defs.sec import warehouse_io
from orchestration.sources.errors import SecDataError, SecPayloadError
from orchestration.sources.sec.companyfacts import parse_company_facts
from orchestration.sources.sec.source import (
    FINANCIAL_FORMS,
    Company,
    EdgarSource,
    Fetched,
    FilesSource,
    SecSource,
)
from orchestration.sources.sec.submissions import distinct_filings, parse_submissions
from orchestration.universe import load_seed

# The assets that load items and record their errors (raw_sec_revenue_facts also writes raw_sec_balance_sheet_facts)
SEC_ASSETS = ("raw_sec_filings", "raw_sec_company_facts", "raw_sec_revenue_facts")
SEC_TABLE_ASSETS = (*SEC_ASSETS, "raw_sec_balance_sheet_facts")


def universe_companies() -> list[Company]:
    """Every company in the miners seed that files with the SEC."""
    return [Company(ticker=row["ticker"], cik=row["cik"]) for row in load_seed("miners") if row["cik"]]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _lineage(frame: pd.DataFrame, source: SecSource, run_id: str, **columns) -> pd.DataFrame:
    """The columns every raw SEC row carries: where it came from, when, and which run wrote it."""
    return frame.assign(
        **columns, source=source.name, is_synthetic=source.is_synthetic, loaded_at=_now(), run_id=run_id
    )


def _keep_payload(raw_dir: Path, fetched: Fetched, source_name: str, run_id: str, immutable: bool) -> str:
    """Write the response as received; filing documents never change, JSON indexes are kept per run.

    A document kept earlier is replaced when this response differs: the earlier one was a bad response for a
    filing that did not load then, and the kept file must be the one the facts are read from.
    """
    folder = raw_dir / "sec" / source_name / ("" if immutable else run_id)
    path = folder / fetched.origin
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (immutable and path.exists() and path.read_bytes() == fetched.body):
        path.write_bytes(fetched.body)
    return str(path)


def _keep_rejected(raw_dir: Path, error: SecDataError, source_name: str, run_id: str) -> str | None:
    """What arrived of an item the source rejected before the asset saw it (`SecPayloadError.received`), kept
    where an accepted response would be; the kept paths, `;`-separated, or None when nothing arrived."""
    received = error.received if isinstance(error, SecPayloadError) else []
    paths = [_keep_payload(raw_dir, fetched, source_name, run_id, False) for fetched in received if fetched.body]
    return ";".join(paths) or None


class LoadLog:
    """Counts what loaded and records what did not, per item, in raw.sec_load_errors."""

    def __init__(self, context: dg.AssetExecutionContext, asset: str, source_name: str) -> None:
        self.context, self.asset, self.source_name = context, asset, source_name
        self.errors: list[dict[str, str | None]] = []

    def failed(
        self, connection, error: SecDataError, cik: str | None, accession=None, document=None, payload_path=None
    ) -> None:
        """Record the item's error, and `payload_path`: where what arrived of it is kept, if anything did."""
        kept = f" (response kept at {payload_path})" if payload_path else ""
        self.context.log.error(f"{self.asset}: {error}{kept}")
        item = {"cik": cik, "accession": accession, "document": document}
        self.errors.append({**item, "error": str(error), "payload_path": payload_path})
        warehouse_io.record_error(
            connection,
            self.asset,
            cik,
            accession,
            document,
            str(error),
            self.source_name,
            self.context.run_id,
            payload_path=payload_path,
        )

    def finish(self, loaded: int, metadata: dict) -> dg.MaterializeResult:
        if self.errors and not loaded:
            raise dg.Failure(
                description=f"{self.asset}: nothing loaded; {len(self.errors)} errors, "
                f"first: {self.errors[0]['error']}",
                metadata={"errors": dg.MetadataValue.json(self.errors)},
            )
        return dg.MaterializeResult(
            metadata={**metadata, "errors": len(self.errors), "error_details": dg.MetadataValue.json(self.errors)}
        )


def _files_filings(source: FilesSource, company: Company) -> list[dict]:
    """A files folder has no submissions index: each document's cover page makes its filing row. A document
    does not say when it was filed: `filing_date` stays null, and dbt's int_filings_known_from dates it by its
    cover."""
    return [
        {
            "cik": company.cik,
            "accession_number": doc.accession,
            "form": doc.form or "unknown",
            "filing_date": None,
            "report_date": doc.period_end,
            "acceptance_datetime": None,
            "primary_document": doc.path.name,
            "primary_doc_description": "local file",
            "items": None,
            "is_xbrl": True,
            "is_inline_xbrl": doc.path.suffix.lower() != ".xml",
            "payload_path": str(doc.path),
        }
        for doc in source.filings()
        if doc.cik == company.cik
    ]


@dg.asset(
    key="raw_sec_filings",
    **RAW_ASSET,
    pool=WAREHOUSE_POOL,
    metadata={"table": "raw.sec_filings"},
)
def raw_sec_filings(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, sec: SecSourceResource
) -> dg.MaterializeResult:
    """Every filing of each universe company (form, filing and report dates, accession, primary document,
    8-K items), from EDGAR's submissions JSON; incremental by accession, each accession once.

    Source: MINERS_SEC_SOURCE (`snapshot` = bundled SYNTHETIC filings replayed through the EDGAR client,
    `live` = data.sec.gov, `files` = the cover pages of the documents in MINERS_SEC_FILES_DIR).

    A filing listed twice (EDGAR listing one accession twice, or one document saved under two names) loads
    once, with a note naming both; a different listing or document claiming an accession already taken is a
    load error for the later one. Every run reads the whole index or folder again, so the errors recorded
    under this asset are the latest run's.
    """
    source = sec.build(cache_dir=warehouse.root / "cache" / "edgar")
    log = LoadLog(context, "raw_sec_filings", source.name)
    companies = universe_companies()
    added = total = loaded = 0
    skipped: list[dict] = []  # files source: each document not loaded, and why
    notes: list[str] = []  # filings listed twice, loaded once
    with warehouse.connect() as connection:
        warehouse_io.ensure_tables(connection)
        warehouse_io.clear_asset_errors(connection, "raw_sec_filings")
        if isinstance(source, FilesSource):
            known = {c.cik for c in companies}
            for doc in source.documents():
                reason = doc.skip_reason(known)
                if reason is None:
                    continue
                skipped.append({"document": doc.path.name, "cik": doc.cik, "reason": reason})
                if doc.copy_of is not None:  # the same document under another name: read once
                    notes.append(reason)
                elif doc.error:  # unreadable, no XBRL, or an accession taken: a load error; the file is its payload
                    log.failed(connection, SecDataError(reason), doc.cik, doc.accession, doc.path.name, str(doc.path))
                else:  # another company's filing: expected in a shared folder, not an error
                    context.log.warning(f"raw_sec_filings: skipped {reason}")
        for company in companies:
            payloads: list[str] = []
            try:
                if isinstance(source, EdgarSource):
                    body, fetched = source.submissions(company)
                    payloads = [
                        _keep_payload(warehouse.raw_dir, f, source.name, context.run_id, False) for f in fetched
                    ]
                    rows = parse_submissions(body, company.cik, fetched[0].origin)
                    for row in rows:
                        row["payload_path"] = payloads[0]
                    rows, repeats, conflicts = distinct_filings(rows, f"CIK {company.cik} submissions")
                    notes.extend(repeats)
                    for row, why in conflicts:
                        error = SecDataError(why)
                        accession, document = row["accession_number"], row["primary_document"]
                        log.failed(connection, error, company.cik, accession, document, payloads[0])
                else:
                    rows = _files_filings(source, company)
            except SecDataError as error:
                kept = ";".join(payloads) or _keep_rejected(warehouse.raw_dir, error, source.name, context.run_id)
                log.failed(connection, error, company.cik, payload_path=kept)
                continue
            frame = _lineage(pd.DataFrame(rows), source, context.run_id, ticker=company.ticker)
            warehouse_io.drop_other_sources(connection, company.cik, source.name)
            added += warehouse_io.add_filings(connection, company.cik, frame) if rows else 0
            total += len(rows)
            loaded += 1
    for note in notes:
        context.log.warning(f"raw_sec_filings: {note}")
    return log.finish(
        loaded,
        {
            "dagster/row_count": total,
            "new_accessions": added,
            "listed_twice": dg.MetadataValue.json(notes),
            "companies_loaded": loaded,
            "companies": len(companies),
            "source": source.name,
            "synthetic": source.is_synthetic,
            **({"skipped_documents": dg.MetadataValue.json(skipped)} if isinstance(source, FilesSource) else {}),
        },
    )


@dg.asset(
    key="raw_sec_company_facts",
    **RAW_ASSET,
    pool=WAREHOUSE_POOL,
    metadata={"table": "raw.sec_company_facts"},
)
def raw_sec_company_facts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, sec: SecSourceResource
) -> dg.MaterializeResult:
    """Non-dimensional XBRL facts from EDGAR's companyfacts JSON: the revenue concepts and shares
    outstanding, with periods from `start`/`end` (companyfacts' fy/fp describe the filing, not the period).

    A `files` source has no companyfacts: the table keeps what it had.
    """
    source = sec.build(cache_dir=warehouse.root / "cache" / "edgar")
    log = LoadLog(context, "raw_sec_company_facts", source.name)
    companies = universe_companies()
    if isinstance(source, FilesSource):
        context.log.info("the files source has no companyfacts; raw.sec_company_facts is left as it was")
        with warehouse.connect() as connection:
            warehouse_io.ensure_tables(connection)
        return log.finish(1, {"dagster/row_count": 0, "source": source.name, "skipped": True})
    total = loaded = 0
    with warehouse.connect() as connection:
        warehouse_io.ensure_tables(connection)
        for company in companies:
            payload = None
            try:
                body, fetched = source.company_facts(company)
                payload = _keep_payload(warehouse.raw_dir, fetched, source.name, context.run_id, False)
                rows = parse_company_facts(body, company.cik, fetched.origin)
            except SecDataError as error:
                kept = payload or _keep_rejected(warehouse.raw_dir, error, source.name, context.run_id)
                log.failed(connection, error, company.cik, payload_path=kept)
                continue
            frame = _lineage(pd.DataFrame(rows), source, context.run_id, ticker=company.ticker, payload_path=payload)
            if not frame.empty:
                frame["value"] = frame["value"].astype(str)
            total += warehouse_io.replace_company_facts(connection, company.cik, frame)
            loaded += 1
    return log.finish(
        loaded,
        {
            "dagster/row_count": total,
            "companies_loaded": loaded,
            "companies": len(companies),
            "source": source.name,
            "synthetic": source.is_synthetic,
        },
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "raw_sec_revenue_facts",
            deps=["raw_sec_filings"],
            **RAW_ASSET,
            metadata={"table": "raw.sec_revenue_facts"},
            description="Every numeric fact named after revenue of each 10-Q, 10-K, 10-KT and 20-F/40-F, as filed, "
            "with its dimensions, read from the filing's inline XBRL.",
        ),
        dg.AssetSpec(
            "raw_sec_balance_sheet_facts",
            deps=["raw_sec_filings"],
            **RAW_ASSET,
            metadata={"table": "raw.sec_balance_sheet_facts"},
            description="The valuation's facts (shares outstanding, cash, debt: seed balance_sheet_concepts) of "
            "the same filings, as filed with every axis, from the same parse.",
        ),
    ],
    pool=WAREHOUSE_POOL,  # the step that writes both tables
)
def raw_sec_revenue_facts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, sec: SecSourceResource
) -> Iterator[dg.MaterializeResult]:
    """Every numeric fact named after revenue, as filed (totals, breakdowns, and what dbt later excludes with
    a reason: instants, counts, run-rates, pro forma...), of each 10-Q, 10-K, 10-KT and 20-F/40-F, with its
    dimensions, period, unit, scale, sign, displayed text and nil flag, read from the filing's inline XBRL;
    and, from the same parse and in the same transaction per filing, the facts of the valuation's concepts
    (raw_sec_balance_sheet_facts). Only accessions not parsed before (by this version of the reader) are
    fetched. Load errors are recorded under raw_sec_revenue_facts.
    """
    from orchestration.sources.sec.xbrl import READER_VERSION, balance_sheet_rows, fact_rows, parse_filing

    source = sec.build(cache_dir=warehouse.root / "cache" / "edgar")
    log = LoadLog(context, "raw_sec_revenue_facts", source.name)
    tickers = {c.cik: c for c in universe_companies()}
    to_write: list[warehouse_io.RevenueFiling] = []  # written together at the end
    with warehouse.connect() as connection:
        warehouse_io.ensure_tables(connection)
        pending = connection.execute(
            """
            select f.cik, f.accession_number, f.primary_document, f.form
            from raw.sec_filings f
            where f.source = ? and list_contains(?, f.form) and coalesce(f.is_xbrl, true)
              and not exists (
                select 1 from raw.sec_revenue_filings p
                where p.cik = f.cik and p.accession_number = f.accession_number
                  and coalesce(p.reader_version, 0) >= ?
              )
            order by f.cik, f.filing_date, f.accession_number
            """,
            [source.name, sorted(FINANCIAL_FORMS), READER_VERSION],
        ).fetchall()
        context.log.info(f"{len(pending)} filings to parse from {source.name}")
        for cik, accession, document, form in pending:
            company = tickers.get(cik)
            if company is None:
                continue  # no longer in the universe
            payload = None
            try:
                fetched = source.document(company, accession, document)
                payload = _keep_payload(warehouse.raw_dir, fetched, source.name, context.run_id, True)
                parsed = parse_filing(fetched.body, document, cik=cik, accession=accession)
                if parsed.cik and parsed.cik != cik:
                    raise SecDataError(
                        f"CIK {cik} accession {accession} document {document}: the document says CIK {parsed.cik}"
                    )
            except SecDataError as error:
                log.failed(connection, error, cik, accession, document, payload_path=payload)
                continue
            facts = _lineage(
                pd.DataFrame(fact_rows(parsed, cik, company.ticker, accession)),
                source,
                context.run_id,
                payload_path=payload,
            )
            balance_sheet = _lineage(
                pd.DataFrame(balance_sheet_rows(parsed, cik, company.ticker, accession)),
                source,
                context.run_id,
                payload_path=payload,
            )
            filing = pd.DataFrame(
                [
                    {
                        "cik": cik,
                        "ticker": company.ticker,
                        "accession_number": accession,
                        "document": document,
                        "document_type": parsed.document_type or form,
                        "document_period_end": parsed.period_end_date,
                        "fiscal_year_focus": parsed.fiscal_year_focus,
                        "fiscal_period_focus": parsed.fiscal_period_focus,
                        "amendment_flag": parsed.amendment,
                        "current_fiscal_year_end": parsed.current_fiscal_year_end,
                        "revenue_facts": len(facts),
                        "source": source.name,
                        "loaded_at": _now(),
                        "run_id": context.run_id,
                        "payload_path": payload,
                        "reader_version": READER_VERSION,
                    }
                ]
            )
            to_write.append((cik, accession, filing, facts, balance_sheet))
        facts_written, failures = warehouse_io.add_revenue_filings(connection, to_write)
        for cik, accession, error in failures:
            document = next(d for c, a, d, _ in pending if (c, a) == (cik, accession))
            log.failed(
                connection,
                SecDataError(f"CIK {cik} accession {accession}: not stored: {error}"),
                cik,
                accession,
                document,
            )
        parsed_filings = len(to_write) - len(failures)
        total = connection.execute("select count(*) from raw.sec_revenue_facts").fetchone()[0]
        balance_sheet_total = connection.execute("select count(*) from raw.sec_balance_sheet_facts").fetchone()[0]
    result = log.finish(
        parsed_filings or not pending,
        {
            "dagster/row_count": total,
            "filings_parsed": parsed_filings,
            "facts_written": facts_written,
            "filings_pending": len(pending),
            "source": source.name,
            "synthetic": source.is_synthetic,
        },
    )
    yield dg.MaterializeResult(asset_key="raw_sec_revenue_facts", metadata=result.metadata)
    yield dg.MaterializeResult(
        asset_key="raw_sec_balance_sheet_facts",
        metadata={"dagster/row_count": balance_sheet_total, "source": source.name, "synthetic": source.is_synthetic},
    )
