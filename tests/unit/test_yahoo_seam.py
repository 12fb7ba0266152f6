"""The yfinance seam: recorded chart responses served to yfinance itself, which parses them."""

from datetime import date
from pathlib import Path

import peewee
import pytest
import requests
from yfinance import cache as yf_cache
from yfinance.exceptions import YFRateLimitError

from orchestration.paths import SNAPSHOT_DIR
from orchestration.sources.errors import MarketDataError, SourceUnreachableError
from orchestration.sources.market import YahooSource, build_source
from orchestration.sources.yahoo import YAHOO_HOST, YahooClient, split_by_ticker
from orchestration.sources.yahoo_replay import YahooReplayAdapter, replay_session

CHARTS = SNAPSHOT_DIR / "yahoo_chart"


class RateLimitedAdapter(YahooReplayAdapter):
    """Answers the first `limited` chart requests with HTTP 429, like Yahoo under load."""

    def __init__(self, chart_dir: Path, limited: int) -> None:
        super().__init__(chart_dir)
        self.limited = limited

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        if "/v8/finance/chart/" in (request.url or "") and self.limited > 0:
            self.limited -= 1
            response.status_code = 429
            response._content = b"Too Many Requests"
        return response


def session_with(adapter: YahooReplayAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


@pytest.fixture
def client(tmp_path: Path) -> YahooClient:
    return YahooClient(session=replay_session(CHARTS), cache_dir=tmp_path / "tz")


def test_download_has_yfinance_shape_with_both_closes(client: YahooClient):
    frame, errors = client.download(["MARA", "SPY", "BTC-USD"], date(2024, 4, 18), date(2024, 4, 23))
    assert errors == {}
    assert frame.columns.names == ["Price", "Ticker"]
    assert {"Open", "High", "Low", "Close", "Adj Close", "Volume"} <= set(frame.columns.get_level_values(0))
    parts = split_by_ticker(frame, ["MARA", "SPY", "BTC-USD"])
    # bitcoin trades on the weekend, equities do not; the end day is inclusive
    assert [str(d.date()) for d in parts["BTC-USD"].index] == [
        "2024-04-18",
        "2024-04-19",
        "2024-04-20",
        "2024-04-21",
        "2024-04-22",
        "2024-04-23",
    ]
    assert len(parts["MARA"]) == 4
    # SPY pays dividends in the snapshot: adjusted and raw closes differ before the last ex-date
    spy = parts["SPY"]
    assert (spy["Adj Close"] < spy["Close"]).all()


def test_unknown_ticker_is_reported_with_yahoo_error(client: YahooClient):
    frame, errors = client.download(["MARA", "NOSUCH"], date(2024, 1, 2), date(2024, 1, 5))
    assert set(split_by_ticker(frame, ["MARA", "NOSUCH"])) == {"MARA"}
    assert "NOSUCH" in errors


def test_source_reports_missing_ticker_and_keeps_payload(tmp_path: Path):
    source = build_source("snapshot", None, cache_dir=tmp_path / "tz")
    batch = source.fetch(["MARA", "NOSUCH"], date(2024, 1, 2), date(2024, 1, 5), tmp_path / "payload")
    assert sorted(batch.rows["ticker"].unique()) == ["MARA"]
    assert "NOSUCH" in batch.missing
    assert batch.payloads and batch.payloads[0].stat().st_size > 0


def test_rate_limit_is_retried_then_succeeds(tmp_path: Path):
    adapter = RateLimitedAdapter(CHARTS, limited=2)
    client = YahooClient(session=session_with(adapter), cache_dir=tmp_path, max_attempts=4, backoff_seconds=0)
    # a range no other test asks for: yfinance memoizes responses within a process
    frame, errors = client.download(["MARA"], date(2023, 3, 6), date(2023, 3, 10))
    assert errors == {}
    assert len(split_by_ticker(frame, ["MARA"])["MARA"]) == 5
    assert sum("/v8/finance/chart/MARA" in url for url in adapter.requested) >= 3


def test_rate_limit_that_persists_fails_clearly(tmp_path: Path):
    adapter = RateLimitedAdapter(CHARTS, limited=1000)
    client = YahooClient(session=session_with(adapter), cache_dir=tmp_path, max_attempts=2, backoff_seconds=0)
    with pytest.raises(MarketDataError, match=r"rate limit .* after 2 attempts downloading MARA") as error:
        client.download(["MARA"], date(2023, 5, 1), date(2023, 5, 5))
    assert isinstance(error.value.__cause__, YFRateLimitError)


class NoNetworkAdapter(requests.adapters.BaseAdapter):
    """The network seam failing: every request fails as it does offline, before any HTTP answer (DNS)."""

    def __init__(self) -> None:
        super().__init__()
        self.hosts: list[str] = []

    def send(self, request, **kwargs):
        host = requests.utils.urlparse(request.url).hostname
        self.hosts.append(host)
        raise requests.ConnectionError(f"Failed to resolve '{host}' ([Errno -3] Temporary failure in name resolution)")

    def close(self) -> None:
        pass


class EveryChartFails(YahooReplayAdapter):
    """Yahoo answers, and refuses every chart request the same way (e.g. a block of this address)."""

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        if "/v8/finance/chart/" in (request.url or ""):
            response.status_code = 404
            response._content = b'{"chart": {"result": null, "error": {"code": "Not Found", "description": "blocked"}}}'
        return response


def live_source_over(adapter, tmp_path: Path) -> YahooSource:
    client = YahooClient(session=session_with(adapter), cache_dir=tmp_path / "tz", max_attempts=1, backoff_seconds=0)
    return YahooSource("live", client, is_synthetic=False, coverage=None)


def test_an_unreachable_yahoo_is_one_error_naming_the_host_not_delisted_tickers(tmp_path: Path):
    adapter = NoNetworkAdapter()
    tickers = ["MARA", "RIOT", "CLSK", "SPY", "BTC-USD"]
    with pytest.raises(SourceUnreachableError) as error:
        live_source_over(adapter, tmp_path).fetch(tickers, date(2023, 7, 3), date(2023, 7, 7), tmp_path / "payload")
    message = str(error.value)
    assert message.startswith(f"Yahoo Finance cannot be reached: {YAHOO_HOST}: ConnectionError: Failed to resolve")
    assert "delisted" not in message.split("(")[0]
    assert "Temporary failure in name resolution" in message and "2023-07-03..2023-07-07" in message
    assert not any(ticker in message for ticker in tickers)  # said once, for the source, not per ticker
    assert error.value.__cause__ is None and error.value.__context__ is None  # the root cause is this message
    assert YAHOO_HOST in adapter.hosts


def test_every_ticker_failing_the_same_way_is_one_error(tmp_path: Path):
    source = live_source_over(EveryChartFails(CHARTS), tmp_path)
    with pytest.raises(SourceUnreachableError) as error:
        source.fetch(["MARA", "RIOT", "SPY"], date(2023, 8, 7), date(2023, 8, 11), tmp_path / "payload")
    assert str(error.value).startswith(f"Yahoo Finance refuses requests: {YAHOO_HOST} answered HTTP 404")


def test_a_ticker_refused_once_is_asked_again_by_the_next_download(tmp_path: Path):
    """yfinance remembers each ticker's timezone answer for the life of the process, refusals included; a
    download after one that Yahoo refused must not inherit that refusal."""
    with pytest.raises(SourceUnreachableError):
        live_source_over(EveryChartFails(CHARTS), tmp_path).fetch(
            ["MARA", "SPY"], date(2023, 8, 7), date(2023, 8, 11), tmp_path / "refused"
        )
    batch = build_source("snapshot", None, cache_dir=tmp_path / "tz").fetch(
        ["MARA", "SPY"], date(2023, 8, 7), date(2023, 8, 11), tmp_path / "payload"
    )
    assert sorted(batch.rows["ticker"].unique()) == ["MARA", "SPY"], batch.missing


def test_a_ticker_lost_to_a_locked_timezone_cache_is_asked_again(client: YahooClient, monkeypatch: pytest.MonkeyPatch):
    """yfinance's download threads share one SQLite timezone cache; on a busy machine one can wait out the lock
    and lose its ticker (seen in the suite: SPY missing, its gate failed). The client asks for it again."""
    lookup = yf_cache._TzCache.lookup
    locked_once = {"SPY"}

    def lookup_or_locked(self, key):
        if key in locked_once:
            locked_once.discard(key)
            raise peewee.OperationalError("database is locked")
        return lookup(self, key)

    monkeypatch.setattr(yf_cache._TzCache, "lookup", lookup_or_locked)
    frame, errors = client.download(["MARA", "SPY", "BTC-USD"], date(2024, 4, 18), date(2024, 4, 23))
    assert not locked_once  # the lock happened
    assert errors == {}
    parts = split_by_ticker(frame, ["MARA", "SPY", "BTC-USD"])
    assert sorted(parts) == ["BTC-USD", "MARA", "SPY"]
    assert len(parts["SPY"]) == len(parts["MARA"]) == 4
    assert frame.columns.names == ["Price", "Ticker"]


def test_a_cache_that_stays_locked_is_reported_for_its_ticker(client: YahooClient, monkeypatch: pytest.MonkeyPatch):
    def always_locked(self, key):
        raise peewee.OperationalError("database is locked")

    monkeypatch.setattr(yf_cache._TzCache, "lookup", always_locked)
    _, errors = client.download(["MARA", "SPY"], date(2024, 4, 18), date(2024, 4, 23))
    assert set(errors) == {"MARA", "SPY"}
    assert all("database is locked" in error for error in errors.values())
