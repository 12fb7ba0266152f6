"""A folder of filings as a user leaves it, one 10-Q saved twice under two names: the whole SEC side runs on it
(raw assets, gates, dbt, publish) and the SEC marts are published fresh."""

import gzip
import json
import logging
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.sec.assets import universe_companies
from orchestration.sources.sec.source import FINANCIAL_FORMS, SEC_SNAPSHOT_DIR
from tests.pipeline.published import check_outcomes, copy_warehouse, materialized, publish_status
from tests.pipeline_run import PipelineRun

SEC_MARTS = ("mart_revenue_mix", "mart_revenue_facts", "mart_ai_capacity_exposure", "mart_valuation_per_mw")


def newest_10q(cik: str) -> bytes:
    """The company's newest financial document in the bundled snapshot."""
    body = json.loads(gzip.decompress((SEC_SNAPSHOT_DIR / "submissions" / f"CIK{cik}.json.gz").read_bytes()))
    recent = body["filings"]["recent"]
    columns = ("filingDate", "accessionNumber", "primaryDocument", "form")
    listed = zip(*(recent[column] for column in columns), strict=True)
    _, accession, document = max((d, a, doc) for d, a, doc, form in listed if form in FINANCIAL_FORMS)
    path = SEC_SNAPSHOT_DIR / "archives" / str(int(cik)) / accession.replace("-", "") / f"{document}.gz"
    return gzip.decompress(path.read_bytes())


def test_a_document_saved_twice_passes_the_filings_gate_and_the_sec_marts_publish(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from orchestration.definitions import defs

    data_dir, folder = tmp_path / "warehouse", tmp_path / "filings"
    data_dir.mkdir()
    folder.mkdir()
    copy_warehouse(pipeline.data_dir, data_dir)
    companies = {c.ticker: c for c in universe_companies()}
    clsk = newest_10q(companies["CLSK"].cik)
    (folder / "clsk_10-Q.htm").write_bytes(clsk)
    (folder / "clsk_10-Q (1).htm").write_bytes(clsk)  # the same download, saved again
    for ticker in ("RIOT", "MARA"):
        (folder / f"{ticker.lower()}_10-Q.htm").write_bytes(newest_10q(companies[ticker].cik))
    monkeypatch.setenv("MINERS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MINERS_SEC_SOURCE", "files")
    monkeypatch.setenv("MINERS_SEC_FILES_DIR", str(folder))

    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("sec_filings_job").execute_in_process(instance=instance, raise_on_error=False)
    outcomes = check_outcomes(result)
    assert outcomes[("raw_sec_filings", "ge_gate")] and outcomes[("raw_sec_revenue_facts", "ge_gate")]
    assert set(SEC_MARTS) <= materialized(result)
    assert all(outcomes[(mart, "ge_gate")] for mart in SEC_MARTS)
    warnings = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
    assert any("clsk_10-Q (1).htm and clsk_10-Q.htm are the same document" in w for w in warnings), warnings
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select primary_document, report_date, filing_date from raw.sec_filings where ticker = 'CLSK'"
        ).fetchall()
    [(document, report_date, filing_date)] = rows  # once
    assert document == "clsk_10-Q (1).htm" and filing_date > report_date  # the cover date

    published = defs.resolve_job_def("publish_job").execute_in_process(instance=instance, raise_on_error=False)
    assert published.success
    status = publish_status(data_dir)
    for mart in SEC_MARTS:
        assert status[f"marts.{mart}"]["status"] == "fresh", (mart, status[f"marts.{mart}"]["stale_reason"])
        assert status[f"marts.{mart}"]["built_in_run_id"] == result.run_id
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as connection:
        tickers = connection.execute("select distinct ticker from marts.mart_revenue_mix order by 1").fetchall()
    assert tickers == [("CLSK",), ("MARA",), ("RIOT",)]
