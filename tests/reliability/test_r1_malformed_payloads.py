"""R1: malformed, empty, truncated and wrong-type payloads for every source, through the assets users run.

Yahoo, EDGAR and the SEC files source each get one batch in which every kind of bad payload hits its own item (a
ticker, a company, a filing, a file) while the other items are good; then each kind is checked on its own:
1. the warning or the raw.sec_load_errors row names the item (ticker; CIK, accession, document, URL or file) and
   says what was wrong;
2. nothing of the bad item is written, and what an earlier run loaded for it is still there, untouched;
3. the other items of the same batch loaded;
4. what is kept of the bad response where the project keeps raw payloads (`kept`). EDGAR's bodies are all kept,
   also those its client rejects before the asset sees them, and the load error gives the kept path (an empty body
   has nothing to keep). yfinance hands over its parsed frame, not Yahoo's bytes: there `kept=False` records that
   nothing of the bad response is kept, a finding, not a requirement of this test. A bad CSV file is the user's
   own: it is named by its path and left where it is.

Yahoo and EDGAR answer from a real HTTP server on loopback (conftest.py), through the production clients: yfinance
over a requests session, and EDGAR over the production `live_session` (requests-cache, rate limiter, User-Agent).
Good answers come from the bundled snapshot. The CSV source gets one batch too: each case's ticker has its bad file
while the other tickers' files are good; a bad file is the user's own local file, so it is named by its path and
left where it is rather than copied.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import logging
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pandas as pd
import pytest
import requests

from orchestration.defs.ingest.assets import raw_market_prices
from orchestration.defs.ingest.partitions import partition_range_tags
from orchestration.defs.resources import MarketDataResource, SecSourceResource, WarehouseResource
from orchestration.defs.sec import assets as sec_assets
from orchestration.sources import market
from orchestration.sources.sec import edgar
from orchestration.sources.sec import source as sec_source
from orchestration.sources.sec.companyfacts import wanted_concepts
from orchestration.sources.sec.edgar_replay import snapshot_file
from orchestration.sources.sec.source import FINANCIAL_FORMS, SEC_SNAPSHOT_DIR
from orchestration.sources.yahoo import YahooClient
from tests.reliability.conftest import Answer, ForwardToLoopback, LoopbackServer, Seen
from tests.reliability.test_r2_http_faults import yahoo_fallback

USER_AGENT = "Miner Convergence research@example.com"
COMPANIES = {c.ticker: c for c in sec_assets.universe_companies()}


def ok(body: bytes, content_type: str = "application/json") -> Answer:
    # no-store: requests-cache must not answer a later run with an earlier run's body
    return Answer(200, body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


def query(data_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


@contextlib.contextmanager
def upstream_on_loopback(fallback: Callable[[Seen], Answer]) -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    server.fallback = fallback
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- corruptions shared by the sources ------------------------------------------------------------------------


def empty(_: bytes) -> bytes:
    return b""


def truncated(body: bytes) -> bytes:
    return body[: len(body) // 2]


def malformed_json(body: bytes) -> bytes:
    return body.replace(b'":', b'"=', 1)  # one broken key/value separator


def json_edit(edit: Callable[[dict], object]) -> Callable[[bytes], bytes]:
    def corrupt(body: bytes) -> bytes:
        data = json.loads(body)
        edit(data)
        return json.dumps(data).encode()

    return corrupt


def constant(value: bytes) -> Callable[[bytes], bytes]:
    return lambda _: value


HTML_PAGE = b"<html><body><h1>Service unavailable</h1><p>Please try again later.</p></body></html>"


# --- Yahoo: yfinance over loopback, raw_market_prices ------------------------------------------------------------

YAHOO_BASELINE = ("2023-05-01", "2023-06-30")
# A month inside the baseline that no other request in the process uses: yfinance memoizes past ranges by URL.
YAHOO_WINDOW = ("2023-06-01", "2023-06-30")


def quote(**values) -> Callable[[bytes], bytes]:
    """Every bar's quote fields set to `values` (e.g. close='abc')."""

    def edit(data: dict) -> None:
        fields = data["chart"]["result"][0]["indicators"]["quote"][0]
        for name, value in values.items():
            fields[name] = [value] * len(fields[name])

    return json_edit(edit)


@dataclass(frozen=True)
class YahooCase:
    kind: str
    ticker: str
    corrupt: Callable[[bytes], bytes]
    says: str  # in the reason the warning gives
    kept: bool  # the ticker's bars are in the kept payload (what yfinance returned)


YAHOO_CASES = [
    YahooCase("malformed", "MARA", malformed_json, "no price data found", kept=False),
    YahooCase("empty", "RIOT", empty, "no price data found", kept=False),
    YahooCase("truncated", "CLSK", truncated, "no price data found", kept=False),
    YahooCase("wrong-type-html", "CIFR", constant(HTML_PAGE), "no price data found", kept=False),
    YahooCase("wrong-type-list", "WULF", constant(b"[]"), "no price data found", kept=False),
    YahooCase(
        "wrong-type-result-object",
        "HUT",
        json_edit(lambda d: d["chart"].update(result=d["chart"]["result"][0])),
        "KeyError",
        kept=False,
    ),
    YahooCase("wrong-type-close-text", "BITF", quote(close="abc"), "could not convert string to float", kept=False),
    YahooCase("wrong-type-close-null", "HIVE", quote(close=None), "missing Close on 2023-06-01", kept=True),
]


class FakeYahoo:
    """Yahoo on loopback: the snapshot's answers, except the chart (history) requests of `bad` symbols."""

    def __init__(self) -> None:
        self.bad: dict[str, Callable[[bytes], bytes]] = {}

    def __call__(self, seen: Seen) -> Answer:
        good = yahoo_fallback(seen)
        symbol = seen.path.removeprefix("/v8/finance/chart/")
        if seen.path.startswith("/v8/finance/chart/") and "period1=" in seen.query and symbol in self.bad:
            return ok(self.bad[symbol](good.body))
        return good


def materialize_prices(data_dir: Path, window: tuple[str, str], instance: dg.DagsterInstance):
    return dg.materialize(
        [raw_market_prices],
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir)),
            "market_data": MarketDataResource(source="live"),
        },
        tags=partition_range_tags(*window),
        instance=instance,
        raise_on_error=False,
    )


def bars(data_dir: Path, window: tuple[str, str]) -> dict[str, list[tuple]]:
    rows = query(
        data_dir,
        "select ticker, date, close, adj_close, volume, run_id from raw.market_prices"
        " where date between ? and ? order by ticker, date",
        list(window),
    )
    out: dict[str, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row)
    return out


@pytest.fixture(scope="module")
def yahoo(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Two good baseline months, then one batch where each case's ticker gets its bad chart response."""
    upstream = FakeYahoo()
    data_dir = tmp_path_factory.mktemp("r1_yahoo")
    instance = dg.DagsterInstance.ephemeral()
    with upstream_on_loopback(upstream) as server, pytest.MonkeyPatch.context() as patch:
        session = requests.Session()
        session.mount("https://", ForwardToLoopback(server))
        patch.setattr(market, "YahooClient", functools.partial(YahooClient, session=session, backoff_seconds=0))
        assert materialize_prices(data_dir, YAHOO_BASELINE, instance).success
        before = bars(data_dir, YAHOO_WINDOW)
        upstream.bad = {case.ticker: case.corrupt for case in YAHOO_CASES}
        result = materialize_prices(data_dir, YAHOO_WINDOW, instance)
    if not result.success:
        return SimpleNamespace(failure=result.get_step_failure_events()[0].step_failure_data.error.to_string())
    metadata = {k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()}
    payloads = [Path(p) for p in metadata["payloads"].split(", ") if p]
    logs = instance.all_logs(result.run_id)
    return SimpleNamespace(
        failure=None,
        data_dir=data_dir,
        run_id=result.run_id,
        before=before,
        after=bars(data_dir, YAHOO_WINDOW),
        missing=metadata["tickers_missing"],
        warnings=[e.user_message for e in logs if e.level == logging.WARNING],
        payloads=payloads,
        payload_tickers=set(pd.concat(pd.read_csv(p) for p in payloads)["Ticker"]) if payloads else set(),
    )


@pytest.mark.parametrize("case", YAHOO_CASES, ids=lambda c: c.kind)
def test_yahoo_bad_chart_response_skips_only_its_ticker(case: YahooCase, yahoo: SimpleNamespace):
    assert yahoo.failure is None, yahoo.failure  # one bad ticker must not fail the batch
    # 1. named, with the reason, in the run's warnings and in the asset's metadata
    assert case.says in yahoo.missing[case.ticker]
    window = f"{YAHOO_WINDOW[0]}..{YAHOO_WINDOW[1]}"
    assert any(
        w.startswith(f"{case.ticker}: not loaded from live for {window}") and case.says in w for w in yahoo.warnings
    )
    # 2. nothing of it written: its bars are the baseline's, same values, same run
    assert yahoo.before[case.ticker]
    assert yahoo.after[case.ticker] == yahoo.before[case.ticker]
    # 3. the other tickers of the batch were reloaded by this run
    bad = {c.ticker for c in YAHOO_CASES}
    reloaded = {ticker for ticker, rows in yahoo.after.items() if {r[-1] for r in rows} == {yahoo.run_id}}
    assert reloaded == set(yahoo.before) - bad
    assert {"BTC-USD", "NVDA", "SPY", "WGMI"} <= reloaded
    # 4. the payload kept is what yfinance returned (its parsed frame, not Yahoo's bytes)
    assert len(yahoo.payloads) == 1 and yahoo.payloads[0].is_file()
    assert yahoo.payloads[0].is_relative_to(yahoo.data_dir / "raw" / "market_prices" / "live" / yahoo.run_id)
    assert (case.ticker in yahoo.payload_tickers) == case.kept


# --- CSV files: raw_market_prices with MINERS_SOURCE=csv ---------------------------------------------------------

CSV_WINDOW = ("2024-01-01", "2024-01-31")
CSV_GOOD = ["CORZ", "IREN", "BTC-USD", "NVDA", "SPY", "WGMI"]  # good in both runs


def csv_export(offset: int) -> str:
    """A month of bars as a flat yfinance export (every column)."""
    lines = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for i, day in enumerate(pd.bdate_range("2024-01-02", "2024-01-31")):
        close = 10 + offset + i / 4
        lines.append(f"{day:%Y-%m-%d},{close:.2f},{close + 1:.2f},{close - 1:.2f},{close:.2f},{close:.2f},{1000 + i}")
    return "\n".join(lines) + "\n"


def close_as_text(good: str) -> str:
    """Every bar's Close (the fifth column) replaced by words."""
    head, *rows = good.splitlines()
    return "\n".join([head, *(",".join(["n/a" if i == 4 else v for i, v in enumerate(r.split(","))]) for r in rows)])


@dataclass(frozen=True)
class CsvCase:
    kind: str
    ticker: str
    content: Callable[[str], str]
    says: str


CSV_CASES = [
    CsvCase("malformed", "MARA", lambda good: good.replace("2024-01-10", '"2024-01-10', 1), "malformed CSV"),
    CsvCase("empty", "RIOT", lambda good: "", "empty file"),
    CsvCase("truncated", "CLSK", lambda good: good[: len(good) // 2], "looks truncated"),
    # cut inside a date: a row without values is dropped (batch exports have them), so the first half loaded quietly
    CsvCase("truncated-in-a-date", "HUT", lambda good: good[: good.index("2024-01-17") + 7], "looks truncated"),
    CsvCase("wrong-type-html", "CIFR", lambda good: HTML_PAGE.decode(), "no 'Date' column"),
    CsvCase(
        "wrong-type-json",
        "WULF",
        lambda good: json.dumps({"Date": ["2024-01-02"], "Close": [1.0]}),
        "no 'Date' column",
    ),
    CsvCase("wrong-type-close-text", "BITF", close_as_text, "non-numeric close 'n/a'"),
]


def materialize_csv(data_dir: Path, folder: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_market_prices],
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir)),
            "market_data": MarketDataResource(source="csv", csv_dir=str(folder)),
        },
        tags=partition_range_tags(*CSV_WINDOW),
        instance=instance,
        raise_on_error=False,
    )


def all_bars(data_dir: Path) -> dict[str, list[tuple]]:
    rows = query(data_dir, "select * exclude (loaded_at) from raw.market_prices order by ticker, date")
    out: dict[str, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row)
    return out


@pytest.fixture(scope="module")
def csv_runs(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Run 1 loads good files for every ticker; run 2 finds each case's file bad, the others rewritten."""
    root = tmp_path_factory.mktemp("r1_csv")
    folder, data_dir = root / "csv", root / "warehouse"
    folder.mkdir()
    instance = dg.DagsterInstance.ephemeral()
    tickers = [case.ticker for case in CSV_CASES] + CSV_GOOD
    for offset, ticker in enumerate(tickers):
        (folder / f"{ticker}.csv").write_text(csv_export(offset))
    first = materialize_csv(data_dir, folder, instance)
    assert first.success
    before = all_bars(data_dir)
    for offset, ticker in enumerate(CSV_GOOD):
        (folder / f"{ticker}.csv").write_text(csv_export(100 + offset))  # new values: run 2 must write them
    for case in CSV_CASES:
        bad_file = folder / f"{case.ticker}.csv"
        bad_file.write_text(case.content(bad_file.read_text()))
    second = materialize_csv(data_dir, folder, instance)
    if not second.success:
        return SimpleNamespace(failure=second.get_step_failure_events()[0].step_failure_data.error.to_string())
    metadata = {k: v.value for k, v in second.get_asset_materialization_events()[0].materialization.metadata.items()}
    return SimpleNamespace(
        failure=None,
        folder=folder,
        data_dir=data_dir,
        first=first.run_id,
        second=second.run_id,
        before=before,
        after=all_bars(data_dir),
        missing=metadata["tickers_missing"],
        warnings=[e.user_message for e in instance.all_logs(second.run_id) if e.level == logging.WARNING],
    )


@pytest.mark.parametrize("case", CSV_CASES, ids=lambda c: c.kind)
def test_csv_bad_file_skips_only_its_ticker_naming_the_file(case: CsvCase, csv_runs: SimpleNamespace):
    runs = csv_runs
    assert runs.failure is None, runs.failure  # one bad file must not fail the batch
    bad_file = runs.folder / f"{case.ticker}.csv"
    # 1. named, with the file's path and the problem, in the run's warnings and in the asset's metadata
    reason = runs.missing[case.ticker]
    assert reason.startswith(f"{case.ticker}: ") and str(bad_file) in reason and case.says in reason
    window = f"{CSV_WINDOW[0]}..{CSV_WINDOW[1]}"
    assert any(w.startswith(f"{case.ticker}: not loaded from csv for {window}") and reason in w for w in runs.warnings)
    # 2. nothing of it written: its bars are run 1's, same values
    assert {row[-2] for row in runs.before[case.ticker]} == {runs.first}
    assert runs.after[case.ticker] == runs.before[case.ticker]
    # 3. the other files of the batch were loaded by this run, with their new values
    reloaded = {ticker for ticker, rows in runs.after.items() if {r[-2] for r in rows} == {runs.second}}
    assert reloaded == set(CSV_GOOD)
    assert all(runs.after[t] != runs.before[t] for t in CSV_GOOD)
    # 4. the bad file is not copied under raw/: it is the user's own file, left in their folder, and the reason
    #    names its path (kept=False by design for this source)
    assert bad_file.is_file()
    assert not list((runs.data_dir / "raw" / "market_prices" / "csv" / runs.second).glob(f"{case.ticker}.csv"))


# --- EDGAR: submissions, companyfacts and filing documents over loopback, the three raw SEC assets ----------------

SERVED_FINANCIAL = 3  # each company's newest financial filings served in the submissions index


@functools.cache
def newest_financial(cik: str, count: int = SERVED_FINANCIAL) -> list[tuple[str, str]]:
    """(accession, primary document) of the company's newest financial filings in the snapshot, newest first."""
    body = json.loads(gzip.decompress((SEC_SNAPSHOT_DIR / "submissions" / f"CIK{cik}.json.gz").read_bytes()))
    recent = body["filings"]["recent"]
    rows = sorted(
        zip(recent["filingDate"], recent["accessionNumber"], recent["primaryDocument"], recent["form"], strict=True),
        reverse=True,
    )
    return [(accession, document) for _, accession, document, form in rows if form in FINANCIAL_FORMS][:count]


def document_path(cik: str, accession: str, document: str) -> str:
    return f"/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}/{document}"


def kept_document(data_dir: Path, cik: str, accession: str, document: str) -> Path:
    return data_dir / "raw" / "sec" / "live" / "archives" / str(int(cik)) / accession.replace("-", "") / document


class FakeEdgar:
    """EDGAR on loopback: the snapshot's answers, the submissions index cut to each company's newest financial
    filings (`hide_newest` leaves the newest out, so a later run finds it new), and `bad` bodies by path."""

    def __init__(self) -> None:
        self.hide_newest = False
        self.bad: dict[str, Answer] = {}

    def good(self, host: str, path: str) -> bytes | None:
        file = snapshot_file(SEC_SNAPSHOT_DIR, f"https://{host}{path}")
        if file is None or not file.is_file():
            return None
        body = gzip.decompress(file.read_bytes())
        if not path.startswith("/submissions/"):
            return body
        data = json.loads(body)
        recent = data["filings"]["recent"]
        served = {accession for accession, _ in newest_financial(str(data["cik"]).zfill(10))}
        if self.hide_newest:
            served -= {newest_financial(str(data["cik"]).zfill(10), 1)[0][0]}
        keep = [i for i, accession in enumerate(recent["accessionNumber"]) if accession in served]
        data["filings"] = {"recent": {k: [v[i] for i in keep] for k, v in recent.items()}, "files": []}
        return json.dumps(data).encode()

    def __call__(self, seen: Seen) -> Answer:
        if seen.path in self.bad:
            return self.bad[seen.path]
        body = self.good(seen.host, seen.path)
        if body is None:
            return Answer(404, b"<Error><Code>NoSuchKey</Code></Error>", headers={"Content-Type": "text/xml"})
        return ok(body, self.content_type(seen.path))

    @staticmethod
    def content_type(path: str) -> str:
        return "application/json" if path.endswith(".json") else "text/html"


def first_revenue_entry(data: dict) -> tuple[dict, dict]:
    """The first revenue concept's body and its first fact."""
    for taxonomy, concepts in data["facts"].items():
        for name, body in concepts.items():
            if wanted_concepts([f"{taxonomy}:{name}"]) and name != "EntityCommonStockSharesOutstanding":
                unit = next(iter(body["units"]))
                return body, body["units"][unit][0]
    raise AssertionError("no revenue concept in the snapshot's companyfacts")


def revenue_value_as_text(body: bytes) -> bytes:
    """The first displayed revenue amount replaced by words: a string where a number is expected."""
    return re.sub(rb'(<ix:nonFraction[^>]*name="[^"]*Revenue[^>]*>)[0-9][0-9,.]*', rb"\1n/a", body, count=1)


def revenue_attribute(name: str, value: str) -> Callable[[bytes], bytes]:
    """The first displayed revenue amount with attribute `name` set to `value` (replaced, or added)."""

    def edit(tag: re.Match[bytes]) -> bytes:
        text, attribute = tag.group(0), f'{name}="{value}"'.encode()
        if re.search(rf' {name}="'.encode(), text):
            return re.sub(rf' {name}="[^"]*"'.encode(), b" " + attribute, text)
        return text.replace(b"<ix:nonFraction ", b"<ix:nonFraction " + attribute + b" ", 1)

    return lambda body: re.sub(rb'<ix:nonFraction[^>]*name="[^"]*Revenue[^>]*>', edit, body, count=1)


@dataclass(frozen=True)
class SecCase:
    endpoint: str  # submissions, companyfacts or document
    kind: str
    ticker: str
    corrupt: Callable[[bytes], bytes]
    says: str  # in the error, besides the item
    kept: bool  # the bad body is kept under raw/sec/live/

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.kind}"

    @property
    def cik(self) -> str:
        return COMPANIES[self.ticker].cik

    @property
    def asset(self) -> str:
        return {
            "submissions": "raw_sec_filings",
            "companyfacts": "raw_sec_company_facts",
            "document": "raw_sec_revenue_facts",
        }[self.endpoint]

    @property
    def filing(self) -> tuple[str, str]:
        """The filing a document case breaks: the company's newest, new to the second run."""
        return newest_financial(self.cik, 1)[0]

    @property
    def path(self) -> str:
        if self.endpoint == "submissions":
            return f"/submissions/CIK{self.cik}.json"
        if self.endpoint == "companyfacts":
            return f"/api/xbrl/companyfacts/CIK{self.cik}.json"
        return document_path(self.cik, *self.filing)

    @property
    def host(self) -> str:
        return "www.sec.gov" if self.endpoint == "document" else "data.sec.gov"


SEC_CASES = [
    # submissions: raw_sec_filings, one company each
    SecCase("submissions", "malformed", "MARA", malformed_json, "malformed JSON", kept=True),
    SecCase("submissions", "empty", "RIOT", empty, "returned an empty body", kept=False),
    SecCase("submissions", "truncated", "CLSK", truncated, "malformed JSON", kept=True),
    SecCase("submissions", "wrong-type-list", "CORZ", lambda b: b"[" + b + b"]", "expected a JSON object", kept=True),
    SecCase(
        "submissions",
        "wrong-type-filings-list",
        "CIFR",
        json_edit(lambda d: d.update(filings=[d["filings"]])),
        "no filings.recent object",
        kept=True,
    ),
    SecCase(
        "submissions",
        "wrong-type-files-text",
        "IREN",
        json_edit(lambda d: d["filings"].update(files="CIK0001878848-submissions-001.json")),
        "filings.files is 'CIK0001878848-submissions-001.json', not a list of pages",
        kept=True,
    ),
    SecCase(
        "submissions",
        "wrong-type-form-number",
        "WULF",
        json_edit(lambda d: d["filings"]["recent"]["form"].__setitem__(0, 10)),
        "form 10 is not a string",
        kept=True,
    ),
    # companyfacts: raw_sec_company_facts, one company each
    SecCase("companyfacts", "malformed", "HUT", malformed_json, "malformed JSON", kept=True),
    SecCase("companyfacts", "empty", "BTDR", empty, "returned an empty body", kept=False),
    SecCase("companyfacts", "truncated", "BITF", truncated, "malformed JSON", kept=True),
    SecCase("companyfacts", "wrong-type-list", "HIVE", lambda b: b"[" + b + b"]", "expected a JSON object", kept=True),
    SecCase(
        "companyfacts",
        "wrong-type-units-text",
        "BTBT",
        json_edit(lambda d: first_revenue_entry(d)[0].update(units={"USD": "n/a"})),
        "units USD is 'n/a', not a list of facts",
        kept=True,
    ),
    SecCase(
        "companyfacts",
        "wrong-type-val-text",
        "APLD",
        json_edit(lambda d: first_revenue_entry(d)[1].update(val="12,345,678")),
        "non-numeric val '12,345,678'",
        kept=True,
    ),
    SecCase(
        "companyfacts",
        "wrong-type-fy-text",
        "SLNH",
        json_edit(lambda d: first_revenue_entry(d)[1].update(fy="FY2024")),
        "fy 'FY2024' is not a year",
        kept=True,
    ),
    SecCase(
        "companyfacts",
        "too-large-val",
        "MARA",
        json_edit(lambda d: first_revenue_entry(d)[1].update(val=1e34)),  # does not fit decimal(38, 4)
        "val 1e+34 is out of range",
        kept=True,
    ),
    # filing documents: raw_sec_revenue_facts, each company's newest filing (new to the second run)
    SecCase(
        "document",
        "malformed",
        "HUT",
        lambda b: b.replace(b"</ix:nonFraction>", b"</ix:nonFractoin>", 1),
        "malformed inline XBRL",
        kept=True,
    ),
    SecCase("document", "empty", "BTDR", empty, "returned an empty body", kept=False),
    SecCase("document", "truncated", "BITF", truncated, "malformed inline XBRL", kept=True),
    SecCase("document", "wrong-type-html", "HIVE", constant(HTML_PAGE), "no inline XBRL facts", kept=True),
    SecCase("document", "wrong-type-json", "BTBT", constant(b'{"facts": {}}'), "cannot parse the document", kept=True),
    SecCase("document", "wrong-type-value-text", "APLD", revenue_value_as_text, "cannot read 'n/a'", kept=True),
    SecCase("document", "too-large-value", "SLNH", revenue_attribute("scale", "40"), "is out of range", kept=True),
]
GOOD_EVERYWHERE = {"GLXY", "ABTC", "CRWV"}


def sec_state(data_dir: Path) -> dict[str, dict]:
    """Per table, per item: the rows' data and the runs that wrote them."""
    filings = query(data_dir, "select cik, accession_number, form, run_id from raw.sec_filings order by all")
    facts = query(
        data_dir,
        "select cik, concept, unit, period_start, period_end, value, accession_number, fiscal_year, run_id"
        " from raw.sec_company_facts order by all",
    )
    revenue = query(
        data_dir,
        "select f.cik, f.accession_number, f.run_id, count(r.concept) from raw.sec_revenue_filings f"
        " left join raw.sec_revenue_facts r using (cik, accession_number) group by all order by all",
    )
    state: dict[str, dict] = {"filings": {}, "facts": {}, "revenue": {}}
    for row in filings:
        state["filings"].setdefault(row[0], []).append(row)
    for row in facts:
        state["facts"].setdefault(row[0], []).append(row)
    for row in revenue:
        state["revenue"][row[1]] = row
    return state


def materialize_sec(data_dir: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [sec_assets.raw_sec_filings, sec_assets.raw_sec_company_facts, sec_assets.raw_sec_revenue_facts],
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir)),
            "sec": SecSourceResource(source="live", user_agent=USER_AGENT),
        },
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def edgar_runs(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Run 1: every answer good, each company's newest filing not yet in the index. Run 2: the newest filings
    appear and every case's item answers its bad body. Run 3 (on a copy): everything good again."""
    upstream = FakeEdgar()
    production_session = sec_source.live_session

    def live_session_over_loopback(user_agent: str | None, cache_dir: Path) -> requests.Session:
        session = production_session(user_agent, cache_dir)
        session.mount("https://", ForwardToLoopback(server))
        return session

    data_dir = tmp_path_factory.mktemp("r1_edgar")
    fixed_dir = tmp_path_factory.mktemp("r1_edgar_fixed") / "warehouse"
    with upstream_on_loopback(upstream) as server, pytest.MonkeyPatch.context() as patch:
        patch.setattr(sec_source, "live_session", live_session_over_loopback)
        patch.setattr(edgar, "MAX_REQUESTS_PER_SECOND", 1_000)  # the limiter stays in the stack, just not slow

        upstream.hide_newest = True
        first = materialize_sec(data_dir)
        assert first.success
        before = sec_state(data_dir)

        upstream.hide_newest = False
        served_bad = {case.path: case.corrupt(upstream.good(case.host, case.path)) for case in SEC_CASES}
        upstream.bad = {path: ok(body, FakeEdgar.content_type(path)) for path, body in served_bad.items()}
        second = materialize_sec(data_dir)
        after = sec_state(data_dir)
        errors = query(
            data_dir, "select asset, cik, accession_number, document, error, payload_path from raw.sec_load_errors"
        )

        shutil.copytree(data_dir, fixed_dir)
        upstream.bad = {}
        fixed = materialize_sec(fixed_dir)
    return SimpleNamespace(
        data_dir=data_dir,
        first=first.run_id,
        second=second,
        before=before,
        after=after,
        errors=errors,
        fixed_dir=fixed_dir,
        fixed=fixed,
        served_bad=served_bad,
    )


@pytest.mark.parametrize("case", SEC_CASES, ids=lambda c: c.id)
def test_edgar_bad_response_is_a_load_error_for_its_item_only(case: SecCase, edgar_runs: SimpleNamespace):
    runs = edgar_runs
    assert runs.second.success, runs.second.get_step_failure_events()[0].step_failure_data.error.to_string()
    second_id = runs.second.run_id

    # 1. one load error, for exactly this item, naming it and what was wrong
    accession, document = case.filing if case.endpoint == "document" else (None, None)
    mine = [e for e in runs.errors if e[0] == case.asset and e[1] == case.cik and e[2] == accession]
    assert len(mine) == 1
    _, _, _, recorded_document, error, payload_path = mine[0]
    assert recorded_document == document
    assert f"CIK {case.cik}" in error and case.says in error
    if case.endpoint == "document":
        assert f"accession {accession}" in error and document in error
    else:  # the URL, or the payload file it was parsed from
        assert f"https://{case.host}{case.path}" in error or f"({case.endpoint}/CIK{case.cik}.json)" in error

    # 2. nothing of it written; what run 1 loaded for it is untouched
    if case.endpoint == "submissions":
        assert runs.after["filings"][case.cik] == runs.before["filings"][case.cik]
        assert {row[3] for row in runs.before["filings"][case.cik]} == {runs.first}
    elif case.endpoint == "companyfacts":
        assert runs.after["facts"][case.cik] == runs.before["facts"][case.cik]
        assert {row[-1] for row in runs.before["facts"][case.cik]} == {runs.first}
    else:
        assert accession not in runs.after["revenue"]
        facts = query(
            runs.data_dir, "select count(*) from raw.sec_revenue_facts where accession_number = ?", [accession]
        )
        assert facts == [(0,)]
        older = {a for a, _ in newest_financial(case.cik)} - {accession}
        assert all(runs.after["revenue"][a] == runs.before["revenue"][a] for a in older)

    # 3. the other items of the batch loaded in the same run
    bad = {c.cik for c in SEC_CASES if c.endpoint == case.endpoint}
    if case.endpoint == "submissions":
        loaded = {cik for cik, rows in runs.after["filings"].items() if second_id in {row[3] for row in rows}}
    elif case.endpoint == "companyfacts":
        loaded = {cik for cik, rows in runs.after["facts"].items() if {row[-1] for row in rows} == {second_id}}
    else:
        bad |= {c.cik for c in SEC_CASES if c.endpoint == "submissions"}  # their newest filing is not indexed yet
        loaded = {row[0] for row in runs.after["revenue"].values() if row[2] == second_id}
    assert loaded == {c.cik for c in COMPANIES.values()} - bad
    assert {COMPANIES[t].cik for t in GOOD_EVERYWHERE} <= loaded

    # 4. the bad body, kept as received, or (kept=False) nothing
    if case.endpoint == "document":
        kept = kept_document(runs.data_dir, case.cik, accession, document)
    else:
        folder = "submissions" if case.endpoint == "submissions" else "companyfacts"
        kept = runs.data_dir / "raw" / "sec" / "live" / second_id / folder / f"CIK{case.cik}.json"
    assert kept.is_file() == case.kept
    if case.kept:
        assert kept.read_bytes() == runs.served_bad[case.path]
    # and the load error says where (an empty body has nothing to keep)
    assert payload_path == (str(kept) if case.kept else None)


def test_edgar_rerun_once_fixed_loads_every_failed_item_and_keeps_the_good_bodies(edgar_runs: SimpleNamespace):
    runs = edgar_runs
    assert runs.fixed.success
    assert query(runs.fixed_dir, "select count(*) from raw.sec_load_errors") == [(0,)]
    state = sec_state(runs.fixed_dir)
    upstream = FakeEdgar()
    for case in SEC_CASES:
        if case.endpoint == "submissions":
            assert newest_financial(case.cik, 1)[0][0] in {row[1] for row in state["filings"][case.cik]}
        elif case.endpoint == "companyfacts":
            assert {row[-1] for row in state["facts"][case.cik]} == {runs.fixed.run_id}
        else:
            accession, document = case.filing
            assert state["revenue"][accession][2] == runs.fixed.run_id
            # the kept document is the one the facts were read from, not the bad body an earlier run kept
            assert kept_document(runs.fixed_dir, case.cik, accession, document).read_bytes() == upstream.good(
                case.host, case.path
            )


# --- SEC files source: a folder of filing documents ---------------------------------------------------------------


def snapshot_document(ticker: str) -> tuple[str, bytes]:
    """The newest financial document of a company in the snapshot, named by its accession, and its bytes."""
    cik = COMPANIES[ticker].cik
    accession, document = newest_financial(cik, 1)[0]
    path = SEC_SNAPSHOT_DIR / "archives" / str(int(cik)) / accession.replace("-", "") / f"{document}.gz"
    return f"{accession}.htm", gzip.decompress(path.read_bytes())


@dataclass(frozen=True)
class FilesCase:
    kind: str
    ticker: str
    corrupt: Callable[[bytes], bytes]
    says: str


FILES_CASES = [
    FilesCase("malformed", "CORZ", lambda b: b.replace(b"</ix:nonFraction>", b"</ix:nonFractoin>", 1), "malformed"),
    FilesCase("empty", "CIFR", empty, "empty document"),
    FilesCase("truncated-over-a-loaded-file", "RIOT", truncated, "malformed inline XBRL"),
    FilesCase("wrong-type-html", "WULF", constant(HTML_PAGE), "no inline XBRL facts"),
    FilesCase("wrong-type-json", "IREN", constant(b'{"facts": {}}'), "cannot parse the document"),
    FilesCase("wrong-type-value-text", "HUT", revenue_value_as_text, "cannot read 'n/a'"),
    FilesCase("wrong-type-decimals-text", "BITF", revenue_attribute("decimals", "abc"), "invalid decimals 'abc'"),
    FilesCase("wrong-type-sign", "HIVE", revenue_attribute("sign", "x"), "invalid sign 'x'"),
    FilesCase("too-large-value", "APLD", revenue_attribute("scale", "40"), "is out of range"),
]
FILES_LOADED_FIRST = ["CLSK", "RIOT"]  # run 1; RIOT's file is then truncated in place
FILES_NEW_GOOD = ["MARA"]  # a good file added with the bad ones


def materialize_files(data_dir: Path, folder: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [sec_assets.raw_sec_filings, sec_assets.raw_sec_revenue_facts],
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir)),
            "sec": SecSourceResource(source="files", files_dir=str(folder)),
        },
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def files_runs(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("r1_files")
    folder, data_dir = root / "filings", root / "warehouse"
    folder.mkdir()
    for ticker in FILES_LOADED_FIRST:
        name, body = snapshot_document(ticker)
        (folder / name).write_bytes(body)
    first = materialize_files(data_dir, folder)
    assert first.success
    before = sec_state(data_dir)
    for ticker in FILES_NEW_GOOD:
        name, body = snapshot_document(ticker)
        (folder / name).write_bytes(body)
    for case in FILES_CASES:
        name, body = snapshot_document(case.ticker)
        (folder / name).write_bytes(case.corrupt(body))
    second = materialize_files(data_dir, folder)
    return SimpleNamespace(
        data_dir=data_dir,
        folder=folder,
        first=first.run_id,
        second=second,
        before=before,
        after=sec_state(data_dir),
        errors=query(data_dir, "select asset, cik, accession_number, document, error from raw.sec_load_errors"),
    )


@pytest.mark.parametrize("case", FILES_CASES, ids=lambda c: c.kind)
def test_files_bad_document_is_a_load_error_for_that_file_only(case: FilesCase, files_runs: SimpleNamespace):
    runs = files_runs
    assert runs.second.success, runs.second.get_step_failure_events()[0].step_failure_data.error.to_string()
    name, _ = snapshot_document(case.ticker)
    accession = name.removesuffix(".htm")

    # 1. one load error naming the file (its name carries the accession) and what was wrong
    mine = [e for e in runs.errors if e[3] == name]
    assert len(mine) == 1
    asset, _, recorded_accession, _, error = mine[0]
    assert asset == "raw_sec_filings" and recorded_accession == accession
    assert name in error and case.says in error

    # 2. nothing of it written; a filing loaded from the good version of the file is untouched
    cik = COMPANIES[case.ticker].cik
    assert runs.after["filings"].get(cik) == runs.before["filings"].get(cik)
    assert runs.after["revenue"].get(accession) == runs.before["revenue"].get(accession)
    if case.ticker in FILES_LOADED_FIRST:
        assert runs.before["revenue"][accession][2] == runs.first

    # 3. the good file added in the same batch loaded
    for ticker in FILES_NEW_GOOD:
        new = snapshot_document(ticker)[0].removesuffix(".htm")
        assert runs.after["revenue"][new][2] == runs.second.run_id and runs.after["revenue"][new][3] > 0

    # 4. the files source copies nothing: its payload is the file itself, left where it is
    assert (runs.folder / name).is_file()
    assert not (runs.data_dir / "raw" / "sec").exists()
