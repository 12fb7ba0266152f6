"""The live paths on real formats (shared real data; each test skips when its file is absent).

- Yahoo: real v8 chart responses replayed through the yfinance seam and yfinance's own parsing, into the
  project's source: the closes and adjusted closes are the ones Yahoo sent (NVDA across its 2021 split,
  BTC-USD's weekends, QQQ's and SPY's dividends).
- EDGAR: a real submissions JSON (1,007 recent filings, `filings.files` listing older pages) and real
  companyfacts (two SPAC shells, under the CIKs of the miners they became, and Tesla).
- The files source: a folder with a filing of a company outside the universe and a press release without
  XBRL next to a real CleanSpark 10-Q: both skipped with a warning naming the file and why, the 10-Q loads.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pandas as pd
import pytest
import requests
import yfinance as yf
from requests.adapters import BaseAdapter
from requests.models import Response

from orchestration.defs.resources import SecSourceResource, WarehouseResource
from orchestration.defs.sec import assets as sec_assets
from orchestration.defs.sec.checks import sec_load_error_checks
from orchestration.sources.errors import SecPayloadError
from orchestration.sources.market import YahooSource
from orchestration.sources.sec.companyfacts import parse_company_facts
from orchestration.sources.sec.edgar import EdgarClient
from orchestration.sources.sec.source import Company, EdgarSource, FilesSource
from orchestration.sources.sec.submissions import parse_submissions
from orchestration.sources.yahoo import YahooClient, split_by_ticker
from orchestration.sources.yahoo_replay import replay_session
from tests.conftest import REAL_DATA


def real_file(*parts: str) -> Path:
    path = REAL_DATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"shared real file {'/'.join(parts)} is not available here")
    return path


# --- Yahoo chart responses through the yfinance seam -------------------------------------------------------------

CHARTS = {
    "NVDA": "NVDA_chart_1d_2021-02-01_2022-01-31.json",
    "BTC-USD": "BTC-USD_chart_1d_2020-01-01_2021-01-04.json",
    "QQQ": "QQQ_chart_1d_2020-01-01_2021-01-04.json",
    "SPY": "SPY_chart_1d_range2y_2024-06-11_2026-06-11.json",
}


def sent_bars(path: Path) -> pd.DataFrame:
    """What Yahoo sent: one row per timestamp (the bar's day in the exchange's timezone), close and adjclose."""
    result = json.loads(path.read_text())["chart"]["result"][0]
    zone = ZoneInfo(result["meta"]["exchangeTimezoneName"])
    days = [datetime.fromtimestamp(ts, UTC).astimezone(zone).date() for ts in result["timestamp"]]
    return pd.DataFrame(
        {
            "close": result["indicators"]["quote"][0]["close"],
            "adj_close": result["indicators"]["adjclose"][0]["adjclose"],
        },
        index=pd.Index(days, name="date"),
    )


def chart_events(path: Path) -> dict:
    return json.loads(path.read_text())["chart"]["result"][0].get("events", {})


def fetched_rows(ticker: str, tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The recorded response replayed through yfinance into the project's Yahoo source (as `live` runs it),
    for the response's own first..last day: the source's validated rows, and what Yahoo sent."""
    path = real_file("yahoo", CHARTS[ticker])
    sent = sent_bars(path)
    client = YahooClient(session=replay_session(charts={ticker: path}), cache_dir=tmp_path / "tz")
    source = YahooSource("live", client, is_synthetic=False, coverage=None)
    batch = source.fetch([ticker], sent.index[0], sent.index[-1], tmp_path / "payload")
    assert batch.missing == {}
    rows = batch.rows.set_index("date")
    assert rows.index.is_unique and list(rows.index) == sorted(rows.index)
    return rows, sent


def assert_closes_as_sent(rows: pd.DataFrame, sent: pd.DataFrame) -> None:
    """Every bar Yahoo sent with a close reaches the rows, with Yahoo's close and adjusted close, exactly."""
    complete = sent.dropna()
    assert list(rows.index) == list(complete.index)
    assert rows["close"].tolist() == complete["close"].tolist()
    assert rows["adj_close"].tolist() == complete["adj_close"].tolist()


def test_nvda_closes_across_the_2021_split_are_the_split_adjusted_ones_yahoo_sent(tmp_path: Path):
    rows, sent = fetched_rows("NVDA", tmp_path)
    assert_closes_as_sent(rows, sent)
    assert len(rows) == 252 and (rows.index[0], rows.index[-1]) == (date(2021, 2, 1), date(2022, 1, 28))
    # the 4-for-1 split of 2021-07-20 is in the response's events...
    splits = chart_events(real_file("yahoo", CHARTS["NVDA"]))["splits"]
    assert [(s["numerator"], s["denominator"]) for s in splits.values()] == [(4, 1)]
    split_day = datetime.fromtimestamp(next(iter(splits.values()))["date"], UTC).date()
    assert split_day == date(2021, 7, 20)
    # ...but Yahoo's closes are already split-adjusted (for 2021's 4:1 and 2024's 10:1: ~13 in Feb 2021, when the
    # share traded near 530), and neither yfinance nor the source re-adjusts them: no 4x step at the split, both
    # Close and Adj Close continuous across it
    assert rows.loc[date(2021, 2, 1), "close"] == pytest.approx(13.237, abs=1e-3)
    step = rows.loc[split_day, "close"] / rows.loc[date(2021, 7, 19), "close"]
    assert 0.9 < step < 1.1
    assert (rows["close"].pct_change().dropna().abs() < 0.25).all()
    assert (rows["adj_close"].pct_change().dropna().abs() < 0.25).all()
    # Adj Close differs from Close only by NVDA's small dividends
    ratio = rows["adj_close"] / rows["close"]
    assert ((ratio > 0.99) & (ratio <= 1)).all() and (ratio < 1).any()


def test_nvda_split_is_reported_by_yfinance_history_without_changing_the_closes(tmp_path: Path):
    path = real_file("yahoo", CHARTS["NVDA"])
    yf.set_tz_cache_location(str(tmp_path / "tz"))
    history = yf.Ticker("NVDA", session=replay_session(charts={"NVDA": path})).history(
        start="2021-02-01", end="2022-01-29", auto_adjust=False
    )
    by_day = history.set_index(history.index.date)
    assert by_day.loc[date(2021, 7, 20), "Stock Splits"] == 4.0
    assert (by_day["Stock Splits"] != 0).sum() == 1
    assert by_day["Close"].tolist() == sent_bars(path)["close"].tolist()


def test_btc_every_calendar_day_with_a_bar_reaches_the_rows_weekends_included(tmp_path: Path):
    rows, sent = fetched_rows("BTC-USD", tmp_path)
    assert_closes_as_sent(rows, sent)
    # 370 daily timestamps, 2020-01-01..2021-01-04 (2020 is a leap year), none missing
    days = [date(2020, 1, 1) + timedelta(days=i) for i in range(370)]
    assert list(sent.index) == days
    # Yahoo sent four bars with every value null: they are dropped, not filled or invented
    null_days = [date(2020, 4, 17), date(2020, 10, 9), date(2020, 10, 12), date(2020, 10, 13)]
    assert list(sent[sent["close"].isna()].index) == null_days
    assert list(rows.index) == [d for d in days if d not in null_days]
    assert len(rows) == 366
    assert sum(d.weekday() >= 5 for d in rows.index) == 106  # every Saturday and Sunday
    assert (rows["adj_close"] == rows["close"]).all()  # no dividends, no splits


def test_qqq_dividends_make_the_adjusted_close_differ(tmp_path: Path):
    rows, sent = fetched_rows("QQQ", tmp_path)
    assert_closes_as_sent(rows, sent)
    assert len(rows) == 253 and (rows.index[0], rows.index[-1]) == (date(2020, 1, 2), date(2020, 12, 31))
    assert sum(d.weekday() >= 5 for d in rows.index) == 0
    dividends = chart_events(real_file("yahoo", CHARTS["QQQ"]))["dividends"]
    assert len(dividends) == 3
    # adjusted for the dividends in the range and after it (the response was recorded later): below Close every
    # day, the gap narrowing at each ex-date
    ratio = rows["adj_close"] / rows["close"]
    assert (ratio < 1).all()
    ex_days = sorted(datetime.fromtimestamp(d["date"], UTC).date() for d in dividends.values())
    for ex_day in ex_days:
        before = ratio[ratio.index < ex_day].iloc[-1]
        assert ratio.loc[ex_day] > before + 1e-4


def test_spy_two_year_range_dividends_make_the_adjusted_close_differ(tmp_path: Path):
    rows, sent = fetched_rows("SPY", tmp_path)
    assert_closes_as_sent(rows, sent)
    assert len(rows) == 502 and (rows.index[0], rows.index[-1]) == (date(2024, 6, 11), date(2026, 6, 11))
    ratio = rows["adj_close"] / rows["close"]
    assert (ratio <= 1).all()
    assert ratio.iloc[0] < 0.98  # two years of dividends
    assert ratio.iloc[-1] == 1  # none after the last bar yet
    # the response has no events, but the ratio steps up on SPY's eight quarterly ex-dates (third Fridays of
    # Mar/Jun/Sep/Dec) and is flat, up to float rounding, in between
    steps = ratio.diff()
    assert steps.min() > -1e-6
    assert [(d.month, d.weekday()) for d in steps[steps > 1e-4].index] == [(m, 4) for m in (6, 9, 12, 3) * 2]


def test_spy_recorded_with_range_2y_is_served_for_period_2y(tmp_path: Path):
    """The response was recorded for `range=2y`, not period1/period2: the seam serves it for that request too."""
    path = real_file("yahoo", CHARTS["SPY"])
    yf.set_tz_cache_location(str(tmp_path / "tz"))
    history = yf.Ticker("SPY", session=replay_session(charts={"SPY": path})).history(period="2y", auto_adjust=False)
    sent = sent_bars(path)
    assert [d.date() for d in history.index] == list(sent.index)
    assert history["Adj Close"].tolist() == sent["adj_close"].tolist()


def test_a_batch_of_real_responses_downloads_together(tmp_path: Path):
    """All four in one yf.download, as the pipeline asks: each ticker keeps its own calendar."""
    paths = {ticker: real_file("yahoo", name) for ticker, name in CHARTS.items()}
    client = YahooClient(session=replay_session(charts=paths), cache_dir=tmp_path / "tz")
    frame, errors = client.download(list(paths), date(2020, 1, 1), date(2026, 6, 11))
    assert errors == {}
    parts = split_by_ticker(frame, list(paths))
    assert {ticker: len(part) for ticker, part in parts.items()} == {
        "NVDA": 252,
        "BTC-USD": 366,
        "QQQ": 253,
        "SPY": 502,
    }


# --- EDGAR submissions and companyfacts ----------------------------------------------------------------------------

MSFT = "0000789019"


class UrlMap(BaseAdapter):
    """Answers each URL from a dict of bodies (404 otherwise) and records what was asked."""

    def __init__(self, bodies: dict[str, bytes]) -> None:
        super().__init__()
        self.bodies = bodies
        self.requested: list[str] = []

    def send(self, request, **kwargs) -> Response:
        self.requested.append(request.url)
        response = Response()
        response.status_code = 200 if request.url in self.bodies else 404
        response._content = self.bodies.get(request.url, b"")
        response.url, response.request = request.url, request
        return response

    def close(self) -> None:
        pass


def edgar_source(bodies: dict[str, bytes]) -> tuple[EdgarSource, UrlMap]:
    adapter = UrlMap(bodies)
    session = requests.Session()
    session.mount("https://", adapter)
    return EdgarSource("live", EdgarClient(session, attempts=1, max_wait_seconds=0.01), False), adapter


def test_real_submissions_parse_every_recent_filing():
    body = json.loads(real_file("edgar", f"submissions_CIK{MSFT}.json").read_text())
    rows = parse_submissions(body, MSFT, "submissions/CIK0000789019.json")
    assert len(rows) == 1007
    assert len({r["accession_number"] for r in rows}) == 1007
    assert (rows[0]["filing_date"], rows[-1]["filing_date"]) == (date(2022, 9, 13), date(2016, 6, 3))
    forms = pd.Series([r["form"] for r in rows]).value_counts()
    assert (forms["4"], forms["8-K"], forms["10-Q"]) == (793, 65, 18)
    assert sum(r["is_inline_xbrl"] for r in rows) > 0
    assert all(r["acceptance_datetime"] is not None for r in rows)


def test_real_submissions_older_pages_are_listed_and_those_before_2022_not_fetched():
    raw = real_file("edgar", f"submissions_CIK{MSFT}.json").read_bytes()
    pages = json.loads(raw)["filings"]["files"]
    assert [(p["name"], p["filingCount"], p["filingTo"]) for p in pages] == [
        ("CIK0000789019-submissions-001.json", 2002, "2016-06-02"),
        ("CIK0000789019-submissions-002.json", 834, "2005-02-13"),
    ]
    source, adapter = edgar_source({f"https://data.sec.gov/submissions/CIK{MSFT}.json": raw})
    body, fetched = source.submissions(Company("MSFT", MSFT))
    # both pages end before 2022, where the product's history starts: listed, not fetched
    assert adapter.requested == [f"https://data.sec.gov/submissions/CIK{MSFT}.json"]
    assert [f.origin for f in fetched] == [f"submissions/CIK{MSFT}.json"]
    assert len(parse_submissions(body, MSFT, fetched[0].origin)) == 1007


def page_like(recent: dict, count: int, drop: tuple[str, ...] = ()) -> dict:
    """An older page in EDGAR's shape (the `recent` arrays at the top level), from the real file's last filings."""
    return {key: values[-count:] for key, values in recent.items() if key not in drop}


def test_a_listed_page_in_range_is_fetched_through_the_client_and_merged():
    raw = real_file("edgar", f"submissions_CIK{MSFT}.json").read_bytes()
    index = json.loads(raw)
    page = page_like(index["filings"]["recent"], 5, drop=("isInlineXBRL",))  # older pages can lack a column
    page["accessionNumber"] = [f"0000789019-15-00000{i}" for i in range(5)]
    name = "CIK0000789019-submissions-001.json"
    index["filings"]["files"] = [{"name": name, "filingCount": 5, "filingFrom": "2016-01-01", "filingTo": "2022-03-01"}]
    source, adapter = edgar_source(
        {
            f"https://data.sec.gov/submissions/CIK{MSFT}.json": json.dumps(index).encode(),
            f"https://data.sec.gov/submissions/{name}": json.dumps(page).encode(),
        }
    )
    body, fetched = source.submissions(Company("MSFT", MSFT))
    assert adapter.requested[-1] == f"https://data.sec.gov/submissions/{name}"
    assert [f.origin for f in fetched] == [f"submissions/CIK{MSFT}.json", f"submissions/{name}"]
    rows = parse_submissions(body, MSFT, fetched[0].origin)
    assert len(rows) == 1012
    assert [r["accession_number"] for r in rows[-5:]] == page["accessionNumber"]
    assert [r["is_inline_xbrl"] for r in rows[-5:]] == [None] * 5  # the column the page lacks: null, not shifted


def test_a_page_with_uneven_arrays_is_rejected_naming_the_page():
    raw = real_file("edgar", f"submissions_CIK{MSFT}.json").read_bytes()
    index = json.loads(raw)
    page = page_like(index["filings"]["recent"], 5)
    page["form"] = page["form"][:4]
    name = "CIK0000789019-submissions-001.json"
    index["filings"]["files"] = [{"name": name, "filingTo": "2023-01-01"}]
    source, _ = edgar_source(
        {
            f"https://data.sec.gov/submissions/CIK{MSFT}.json": json.dumps(index).encode(),
            f"https://data.sec.gov/submissions/{name}": json.dumps(page).encode(),
        }
    )
    with pytest.raises(SecPayloadError, match=rf"submissions/{name}\): arrays of unequal length: form") as error:
        source.submissions(Company("MSFT", MSFT))
    assert [f.origin for f in error.value.received] == [f"submissions/CIK{MSFT}.json", f"submissions/{name}"]


@pytest.mark.parametrize(
    ("cik", "name"),
    [
        ("0001839341", "Power & Digital Infrastructure Acquisition Corp."),
        ("0001819989", "GOOD WORKS ACQUISITION CORP."),
    ],
)
def test_spac_shell_companyfacts_parse_without_revenue(cik: str, name: str):
    """Core Scientific's and Cipher Mining's CIKs began as SPACs: their companyfacts then held no revenue."""
    body = json.loads(real_file("edgar", f"companyfacts_CIK{cik}.json").read_text())
    assert body["entityName"] == name
    rows = parse_company_facts(body, cik, f"companyfacts/CIK{cik}.json")
    assert not any("Revenue" in r["concept"] for r in rows)
    cash = "us-gaap:CashAndCashEquivalentsAtCarryingValue"
    if cik == "0001839341":  # us-gaap only, no dei, no shares outstanding: only the trust's cash
        assert "dei" not in body["facts"]
        assert [(r["concept"], r["period_end"], r["value"]) for r in rows] == [(cash, date(2021, 3, 31), 2_054_082)]
    else:  # the shell's shares outstanding and cash, with instant periods
        assert {r["concept"] for r in rows} == {
            "dei:EntityCommonStockSharesOutstanding",
            "us-gaap:CommonStockSharesOutstanding",
            cash,
        }
        shares = [r for r in rows if r["concept"] != cash]
        assert len(shares) == 14 and all(r["unit"] == "shares" for r in shares)
        assert len(rows) == 23 and all(r["period_start"] is None for r in rows)
        assert all(r["period_end"].year in (2020, 2021) for r in rows)
        latest = max((r for r in rows if r["concept"] == cash), key=lambda r: (r["period_end"], r["filed"]))
        assert (latest["period_end"], latest["value"], latest["form"]) == (date(2021, 3, 31), 613_606, "10-Q/A")


def test_tesla_companyfacts_revenue_with_periods_from_start_and_end():
    cik = "0001318605"
    body = json.loads(real_file("edgar", f"companyfacts_CIK{cik}.json").read_text())
    rows = parse_company_facts(body, cik, f"companyfacts/CIK{cik}.json")
    concepts = pd.Series([r["concept"] for r in rows]).value_counts().to_dict()
    assert concepts == {
        "us-gaap:Revenues": 234,
        "us-gaap:CommonStockSharesOutstanding": 94,
        "dei:EntityCommonStockSharesOutstanding": 50,
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax": 6,
        # the valuation's cash and debt concepts (seed balance_sheet_concepts)
        "us-gaap:CashAndCashEquivalentsAtCarryingValue": 186,
        "us-gaap:LongTermDebt": 50,
        "us-gaap:DebtCurrent": 47,
        "us-gaap:LongTermDebtNoncurrent": 28,
        "us-gaap:LongTermDebtCurrent": 15,
        "us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents": 12,
        "us-gaap:ConvertibleLongTermNotesPayable": 2,
        "us-gaap:ConvertibleNotesPayableCurrent": 2,
        "us-gaap:LongTermLoansPayable": 2,
    }
    q3_2022 = {
        r["concept"]: r["value"]
        for r in rows
        if r["period_end"] == date(2022, 9, 30) and r["period_start"] is None and r["form"] == "10-Q"
    }
    # as the 10-Q for 2022-09-30 reports them (cash 19,532 M$; debt 979 M$ current, 1,418 M$ tagged LongTermDebt)
    assert q3_2022["us-gaap:CashAndCashEquivalentsAtCarryingValue"] == 19_532_000_000
    assert q3_2022["us-gaap:DebtCurrent"] == 979_000_000 and q3_2022["us-gaap:LongTermDebt"] == 1_418_000_000
    revenue = [r for r in rows if r["concept"] == "us-gaap:Revenues"]
    assert all(r["period_start"] is not None and r["period_start"] < r["period_end"] for r in revenue)
    annual = {
        (r["period_start"], r["period_end"]): r["value"]
        for r in revenue
        if r["form"] == "10-K" and (r["period_end"] - r["period_start"]).days > 360
    }
    assert annual[(date(2021, 1, 1), date(2021, 12, 31))] == 53_823_000_000
    assert annual[(date(2020, 1, 1), date(2020, 12, 31))] == 31_536_000_000
    # the period is the fact's own, not the filing's fy/fp: the FY2021 10-K repeats 2019 as a comparative
    fy2019 = [r for r in revenue if (r["period_start"], r["period_end"]) == (date(2019, 1, 1), date(2019, 12, 31))]
    assert {r["fiscal_year"] for r in fy2019} >= {2019, 2020, 2021}


# --- the files source: documents that are not for the universe, or have no XBRL ------------------------------------

BTCS = "btcs_10-Q-2025-09-30.html"
PRESS_RELEASE = "btbt_ex99-press-release-2024-08-19.html"
CLEANSPARK = "clsk_10-Q-2024-03-31.html"


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "filings"
    folder.mkdir()
    for name in (BTCS, PRESS_RELEASE, CLEANSPARK):
        shutil.copyfile(real_file("sec", name), folder / name)
    return folder


def test_files_source_says_why_each_document_is_skipped(mixed_folder: Path):
    universe = {c.cik for c in sec_assets.universe_companies()}
    documents = {d.path.name: d for d in FilesSource(mixed_folder).documents()}
    assert documents[CLEANSPARK].skip_reason(universe) is None
    assert documents[BTCS].skip_reason(universe) == (
        f"document {BTCS}: CIK 0001436229 (10-Q for the period ended 2025-09-30) is not in the universe (miners seed)"
    )
    assert documents[PRESS_RELEASE].skip_reason(universe) == f"no inline XBRL facts in {PRESS_RELEASE}"


def test_files_run_skips_outside_and_non_xbrl_documents_with_a_warning_and_loads_the_rest(
    mixed_folder: Path, tmp_path: Path
):
    data_dir = tmp_path / "warehouse"
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [sec_assets.raw_sec_filings, sec_assets.raw_sec_revenue_facts, *sec_load_error_checks[:1]],
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir)),
            "sec": SecSourceResource(source="files", files_dir=str(mixed_folder)),
        },
        instance=instance,
        raise_on_error=False,
    )
    assert result.success

    # the run's metadata names each skipped file and why
    filings_meta = result.asset_materializations_for_node("raw_sec_filings")[0].metadata
    skipped = {item["document"]: item for item in filings_meta["skipped_documents"].value}
    assert set(skipped) == {BTCS, PRESS_RELEASE}
    assert skipped[BTCS]["cik"] == "0001436229" and "not in the universe" in skipped[BTCS]["reason"]
    assert skipped[PRESS_RELEASE]["cik"] is None and "no inline XBRL" in skipped[PRESS_RELEASE]["reason"]

    # and the run's log warns about the other company's filing, naming the file and the CIK
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any("skipped" in m and BTCS in m and "0001436229" in m for m in messages)

    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:

        def rows(sql: str) -> list[tuple]:
            return connection.execute(sql).fetchall()

        # nothing of either is written; the CleanSpark 10-Q loads, revenue facts included
        assert rows("select cik, form, report_date::varchar, primary_document from raw.sec_filings") == [
            ("0000827876", "10-Q", "2024-03-31", CLEANSPARK)
        ]
        assert rows("select distinct cik, document from raw.sec_revenue_facts") == [("0000827876", CLEANSPARK)]
        # the document without XBRL cannot be attributed to a company and may be a broken filing: a load error
        # (the load_errors check warns); the other company's filing is expected in a shared folder: not an error
        assert rows("select asset, cik, document, error from raw.sec_load_errors") == [
            ("raw_sec_filings", None, PRESS_RELEASE, f"no inline XBRL facts in {PRESS_RELEASE}")
        ]
    check = result.get_asset_check_evaluations()[0]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert [e["document"] for e in check.metadata["errors"].value] == [PRESS_RELEASE]
