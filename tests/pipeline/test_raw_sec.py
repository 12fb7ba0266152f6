"""The raw SEC assets against a temporary DuckDB: snapshot load, incremental reruns, bad input, local files."""

import gzip
import hashlib
import json
import logging
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.quality.gates import gates_on
from orchestration.defs.resources import SecSourceResource, WarehouseResource
from orchestration.defs.sec import assets as sec_assets
from orchestration.defs.sec.checks import sec_load_error_checks
from orchestration.sources.sec import source as sec_source
from orchestration.sources.sec.source import Company

RAW_TABLES = ("raw.sec_filings", "raw.sec_company_facts", "raw.sec_revenue_facts")
DATA_COLUMNS = {
    "raw.sec_filings": "cik, accession_number, form, filing_date, report_date, primary_document, items",
    "raw.sec_company_facts": "cik, concept, unit, period_start, period_end, value, accession_number",
    "raw.sec_revenue_facts": "accession_number, concept, context_id, period_start, period_end, dimensions, value",
}


def materialize_sec(data_dir: Path, **sec) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [sec_assets.raw_sec_filings, sec_assets.raw_sec_company_facts, sec_assets.raw_sec_revenue_facts]
        + gates_on(*sec_assets.SEC_ASSETS)
        + sec_load_error_checks,
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir)),
            "sec": SecSourceResource(**(sec or {"source": "snapshot"})),
        },
        raise_on_error=False,
    )


def query(data_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def digests(data_dir: Path) -> dict[str, str]:
    return {
        table: hashlib.sha256(
            repr(query(data_dir, f"select {DATA_COLUMNS[table]} from {table} order by all")).encode()
        ).hexdigest()
        for table in RAW_TABLES
    }


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    return {k: v.value for k, v in result.asset_materializations_for_node(asset)[0].metadata.items()}


def checks(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {(c.asset_key.to_user_string(), c.check_name): c for c in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def snapshot_load(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    data_dir = tmp_path_factory.mktemp("sec_warehouse")
    return data_dir, materialize_sec(data_dir)


def test_snapshot_loads_every_company_and_passes_the_gates(snapshot_load):
    data_dir, result = snapshot_load
    assert result.success
    companies = len(sec_assets.universe_companies())
    assert query(data_dir, "select count(distinct cik) from raw.sec_filings")[0][0] == companies
    assert metadata(result, "raw_sec_filings")["errors"] == 0
    assert metadata(result, "raw_sec_revenue_facts")["filings_parsed"] > 100
    assert query(data_dir, "select bool_and(is_synthetic) and bool_and(source = 'snapshot') from raw.sec_filings")[0][0]
    failed = [key for key, check in checks(result).items() if not check.passed]
    assert failed == []
    # the raw responses are kept on disk
    assert list((data_dir / "raw" / "sec" / "snapshot").rglob("CIK0000827876.json"))
    assert list((data_dir / "raw" / "sec" / "snapshot" / "archives").rglob("*.htm"))


def test_rerun_fetches_no_filing_twice_and_changes_nothing(snapshot_load):
    data_dir, _ = snapshot_load
    before = digests(data_dir)
    again = materialize_sec(data_dir)
    assert again.success
    assert metadata(again, "raw_sec_filings")["new_accessions"] == 0
    assert metadata(again, "raw_sec_revenue_facts")["filings_pending"] == 0
    assert digests(data_dir) == before


def test_filings_read_by_an_older_reader_are_parsed_again(snapshot_load):
    """A reader that keeps more facts re-parses what an older one read (an upgraded warehouse), once."""
    data_dir, _ = snapshot_load
    before = digests(data_dir)
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as connection:
        parsed = connection.execute("select count(*) from raw.sec_revenue_filings").fetchone()[0]
        connection.execute("update raw.sec_revenue_filings set reader_version = null")  # as an older version left it
    again = materialize_sec(data_dir)
    assert again.success
    assert metadata(again, "raw_sec_revenue_facts")["filings_parsed"] == parsed
    assert digests(data_dir) == before  # the same facts, replaced, not duplicated
    assert metadata(materialize_sec(data_dir), "raw_sec_revenue_facts")["filings_pending"] == 0


def _corrupt(snapshot: Path, relative: str, body: bytes) -> None:
    (snapshot / relative).write_bytes(gzip.compress(body, mtime=0))


def _financial_documents(snapshot: Path, cik: str) -> list[Path]:
    """The inline XBRL documents of the company's 10-Qs and 10-Ks, oldest first."""
    body = json.loads(gzip.decompress((snapshot / "submissions" / f"CIK{cik}.json.gz").read_bytes()))
    recent = body["filings"]["recent"]
    filings = sorted(
        (date, accession, document)
        for date, accession, document, form in zip(
            recent["filingDate"], recent["accessionNumber"], recent["primaryDocument"], recent["form"], strict=True
        )
        if form in {"10-Q", "10-K"}
    )
    folder = snapshot / "archives" / str(int(cik))
    return [folder / accession.replace("-", "") / f"{document}.gz" for _, accession, document in filings]


def test_bad_input_is_reported_by_item_and_everything_else_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    snapshot, bundled = tmp_path / "snapshot", sec_source.SEC_SNAPSHOT_DIR
    shutil.copytree(bundled, snapshot)
    monkeypatch.setattr(sec_source, "SEC_SNAPSHOT_DIR", snapshot)
    companies = {c.ticker: c for c in sec_assets.universe_companies()}
    riot, mara, wulf = companies["RIOT"], companies["MARA"], companies["WULF"]
    # an unknown CIK in the universe: EDGAR answers 404
    monkeypatch.setattr(sec_assets, "universe_companies", lambda: [*companies.values(), Company("ZZZZ", "0000000001")])
    # malformed submissions JSON, and companyfacts that is not an object
    _corrupt(snapshot, f"submissions/CIK{wulf.cik}.json.gz", b'{"cik": "1083301", "filings": {"recent": ')
    _corrupt(snapshot, f"companyfacts/CIK{mara.cik}.json.gz", b"[]")
    # HTML where XBRL was expected, and a filing with conflicting duplicate facts
    html_doc, conflict_doc = _financial_documents(snapshot, riot.cik)[:2]
    _corrupt(snapshot, str(html_doc.relative_to(snapshot)), b"<html><body><p>Quarterly report</p></body></html>")
    text = gzip.decompress(conflict_doc.read_bytes()).decode()
    start = text.rindex("<ix:nonFraction", 0, text.index('name="us-gaap:Revenues"'))
    end = text.index("</ix:nonFraction>", start) + len("</ix:nonFraction>")
    fact = text[start:end]
    tampered = re.sub(r' id="[^"]*"', "", fact, count=1)  # the copy is displayed again, without an id
    digits = next(c for c in fact[fact.index(">") + 1 :] if c.isdigit())
    tampered = (
        tampered[: tampered.rindex(digits)] + str((int(digits) + 1) % 10) + tampered[tampered.rindex(digits) + 1 :]
    )
    _corrupt(snapshot, str(conflict_doc.relative_to(snapshot)), text.replace(fact, fact + tampered, 1).encode())

    result = materialize_sec(tmp_path)
    assert result.success  # everything else loaded

    errors = query(tmp_path, "select asset, cik, accession_number, document, error from raw.sec_load_errors")
    by_item = {(asset, cik, document): error for asset, cik, _, document, error in errors}
    assert "CIK 0000000001" in by_item[("raw_sec_filings", "0000000001", None)]
    assert "HTTP 404" in by_item[("raw_sec_filings", "0000000001", None)]
    assert "malformed JSON" in by_item[("raw_sec_filings", wulf.cik, None)]
    assert f"CIK {mara.cik}" in by_item[("raw_sec_company_facts", mara.cik, None)]
    html_name, conflict_name = html_doc.name.removesuffix(".gz"), conflict_doc.name.removesuffix(".gz")
    html_error = by_item[("raw_sec_revenue_facts", riot.cik, html_name)]
    assert html_name in html_error and "inline XBRL" in html_error
    conflict_error = by_item[("raw_sec_revenue_facts", riot.cik, conflict_name)]
    assert conflict_name in conflict_error and "conflicting" in conflict_error
    failed = [(accession, error) for asset, _, accession, _, error in errors if asset == "raw_sec_revenue_facts"]
    assert len(failed) == 2 and all(f"accession {accession}" in error for accession, error in failed)
    failed_accessions = [accession for accession, _ in failed]

    # nothing partial: the failed filings wrote no fact and no manifest row
    for accession in failed_accessions:
        assert query(
            tmp_path, "select count(*) from raw.sec_revenue_facts where accession_number = ?", [accession]
        ) == [(0,)]
        assert query(
            tmp_path, "select count(*) from raw.sec_revenue_filings where accession_number = ?", [accession]
        ) == [(0,)]
    # the others still loaded
    loaded = {row[0] for row in query(tmp_path, "select distinct ticker from raw.sec_revenue_facts")}
    assert {"RIOT", "MARA", "CLSK", "CORZ"} <= loaded
    assert "WULF" not in {row[0] for row in query(tmp_path, "select distinct ticker from raw.sec_filings")}
    report = checks(result)
    for asset in ("raw_sec_filings", "raw_sec_company_facts", "raw_sec_revenue_facts"):
        assert not report[(asset, "load_errors")].passed
        assert report[(asset, "load_errors")].severity == dg.AssetCheckSeverity.WARN
        assert report[(asset, "ge_gate")].passed

    # once the source is fixed, a rerun loads exactly the failed items and clears their errors
    shutil.copy(bundled / html_doc.relative_to(snapshot), html_doc)
    rerun = materialize_sec(tmp_path)
    assert metadata(rerun, "raw_sec_revenue_facts")["filings_parsed"] == 1
    remaining = {
        row[3]
        for row in query(tmp_path, "select * from raw.sec_load_errors where asset = ?", ["raw_sec_revenue_facts"])
    }
    assert remaining == {conflict_name}


def _listed_again(snapshot: Path, cik: str, **changes) -> tuple[str, str]:
    """List the company's newest filing a second time, at the end of `filings.recent` (with `changes` to its
    fields); returns its accession and primary document."""
    path = snapshot / "submissions" / f"CIK{cik}.json.gz"
    body = json.loads(gzip.decompress(path.read_bytes()))
    recent = body["filings"]["recent"]
    for key, values in recent.items():
        if isinstance(values, list) and values:
            values.append(changes.get(key, values[0]))
    _corrupt(snapshot, f"submissions/CIK{cik}.json.gz", json.dumps(body).encode())
    return recent["accessionNumber"][0], recent["primaryDocument"][0]


def test_an_accession_edgar_lists_twice_loads_once_and_passes_the_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Identically: loaded once, with a note naming both listings. Differently: the later listing is a named
    load error. Neither fails the raw_sec_filings gate (accession unique per CIK)."""
    snapshot, bundled = tmp_path / "snapshot", sec_source.SEC_SNAPSHOT_DIR
    shutil.copytree(bundled, snapshot)
    monkeypatch.setattr(sec_source, "SEC_SNAPSHOT_DIR", snapshot)
    companies = {c.ticker: c for c in sec_assets.universe_companies()}
    clsk, riot = companies["CLSK"], companies["RIOT"]
    repeated, _ = _listed_again(snapshot, clsk.cik)
    conflicting, document = _listed_again(snapshot, riot.cik, primaryDocument="other-document.htm")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [sec_assets.raw_sec_filings, *gates_on("raw_sec_filings"), *sec_load_error_checks[:1]],
        resources={"warehouse": WarehouseResource(data_dir=str(tmp_path)), "sec": SecSourceResource(source="snapshot")},
        instance=instance,
        raise_on_error=False,
    )
    assert result.success
    assert checks(result)[("raw_sec_filings", "ge_gate")].passed
    count = "select count(*) from raw.sec_filings where accession_number = ?"
    assert query(tmp_path, count, [repeated]) == [(1,)] and query(tmp_path, count, [conflicting]) == [(1,)]
    stored = "select primary_document from raw.sec_filings where accession_number = ?"
    assert query(tmp_path, stored, [conflicting]) == [(document,)]  # the first listing loaded

    warnings = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
    note = f"CIK {clsk.cik} submissions: accession {repeated} is listed twice (positions 0 and "
    assert any(w.startswith(f"raw_sec_filings: {note}") and w.endswith("identically: loaded once") for w in warnings)
    assert any(note in n for n in metadata(result, "raw_sec_filings")["listed_twice"])
    [error] = query(
        tmp_path,
        "select cik, accession_number, document, error, payload_path from raw.sec_load_errors where asset = ?",
        ["raw_sec_filings"],
    )
    assert error[:3] == (riot.cik, conflicting, "other-document.htm")
    assert f"accession {conflicting} is listed twice" in error[3] and "differently" in error[3]
    assert f"'{document}' vs 'other-document.htm'" in error[3] and error[4].endswith(f"CIK{riot.cik}.json")
    assert not checks(result)[("raw_sec_filings", "load_errors")].passed  # a warning

    # EDGAR fixes its index: the next run keeps the same filings and no error of the earlier listing
    shutil.copy(bundled / "submissions" / f"CIK{riot.cik}.json.gz", snapshot / "submissions")
    rerun = dg.materialize(
        [sec_assets.raw_sec_filings, *gates_on("raw_sec_filings")],
        resources={"warehouse": WarehouseResource(data_dir=str(tmp_path)), "sec": SecSourceResource(source="snapshot")},
        raise_on_error=False,
    )
    assert rerun.success and checks(rerun)[("raw_sec_filings", "ge_gate")].passed
    assert query(tmp_path, "select count(*) from raw.sec_load_errors") == [(0,)]
    assert query(tmp_path, stored, [conflicting]) == [(document,)]


def test_live_sec_without_user_agent_fails_clearly(tmp_path: Path):
    result = materialize_sec(tmp_path, source="live", user_agent="")
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "SEC_USER_AGENT" in error
