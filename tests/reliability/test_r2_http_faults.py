"""R2: HTTP 429, 5xx and timeouts from a real local server, through the project's own clients.

The EDGAR client (over a plain session and over the production `live_session`: cached, rate-limited) and the
Yahoo client (yfinance over a requests session) talk to a `ThreadingHTTPServer` on 127.0.0.1 through
`ForwardToLoopback` (see conftest.py): the bytes cross a socket, the server counts what arrived, and the
retry, backoff and error paths are the production ones.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import tenacity.nap

from orchestration.paths import SNAPSHOT_DIR
from orchestration.sources.errors import MarketDataError, SecDataError, SourceUnreachableError
from orchestration.sources.market import YahooSource
from orchestration.sources.sec import edgar
from orchestration.sources.sec.edgar import EdgarClient, live_session
from orchestration.sources.yahoo import YAHOO_HOST, YahooClient, split_by_ticker
from orchestration.sources.yahoo_replay import YahooReplayAdapter
from tests.reliability.conftest import Answer, ForwardToLoopback, LoopbackServer, Seen

USER_AGENT = "Miner Convergence research@example.com"
CIK = "0000827876"
SUBMISSIONS_PATH = f"/submissions/CIK{CIK}.json"
SUBMISSIONS_URL = f"https://data.sec.gov{SUBMISSIONS_PATH}"
FACTS_PATH = f"/api/xbrl/companyfacts/CIK{CIK}.json"
DOCUMENT_PATH = "/Archives/edgar/data/827876/000082787624000123/clsk-20240331.htm"
BODY = json.dumps({"cik": CIK, "name": "CleanSpark, Inc.", "filings": {"recent": {}}}).encode()
OK = Answer(200, BODY)
FAST_WAIT = 0.01  # max_wait_seconds where the backoff itself is not under test


def edgar_over(server: LoopbackServer, attempts: int, max_wait: float = FAST_WAIT) -> EdgarClient:
    session = requests.Session()
    session.mount("https://", ForwardToLoopback(server))
    return EdgarClient(session, attempts=attempts, max_wait_seconds=max_wait)


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    """The client's per-request timeout (edgar.TIMEOUT_SECONDS, 30 s) made small for a test."""
    monkeypatch.setattr(edgar, "TIMEOUT_SECONDS", 0.25)
    return 0.25


@pytest.fixture
def tenacity_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses tenacity asks for (they still happen); only tenacity's sleeps, nothing else's."""
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(tenacity.nap, "time", SimpleNamespace(sleep=sleep))
    return asked


# --- EDGAR over a plain requests session -----------------------------------------------------------------


def test_429_then_200_succeeds_after_exactly_two_requests(loopback: LoopbackServer):
    loopback.script(SUBMISSIONS_PATH, Answer(429, b"slow down"), OK)
    parsed, raw = edgar_over(loopback, attempts=5).submissions("827876")
    assert raw == BODY
    assert parsed["name"] == "CleanSpark, Inc."
    seen = loopback.requests_to(SUBMISSIONS_PATH)
    assert len(seen) == 2
    assert {s.host for s in seen} == {"data.sec.gov"}
    assert len(loopback.seen) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_each_retryable_5xx_is_retried_then_succeeds(loopback: LoopbackServer, status: int):
    loopback.script(FACTS_PATH, Answer(status, b"upstream trouble"), OK)
    _, raw = edgar_over(loopback, attempts=3).company_facts(CIK)
    assert raw == BODY
    assert len(loopback.requests_to(FACTS_PATH)) == 2


def test_503_on_every_attempt_fails_naming_the_url_and_the_attempts(loopback: LoopbackServer):
    attempts = 3
    loopback.script(SUBMISSIONS_PATH, *[Answer(503, b"busy")] * attempts, OK)  # an answer it must not reach
    with pytest.raises(SecDataError) as error:
        edgar_over(loopback, attempts=attempts).submissions(CIK)
    message = str(error.value)
    assert SUBMISSIONS_URL in message
    assert f"failed after {attempts} attempts" in message
    assert "HTTP 503" in message
    assert f"CIK {CIK}" in message
    assert len(loopback.requests_to(SUBMISSIONS_PATH)) == attempts
    assert loopback.pending(SUBMISSIONS_PATH) == 1


@pytest.mark.parametrize(("status", "phrase"), [(404, "not found"), (403, "answered HTTP 403")])
def test_4xx_other_than_429_is_not_retried(loopback: LoopbackServer, status: int, phrase: str):
    loopback.script(DOCUMENT_PATH, Answer(status, b"<Error/>"), OK)
    with pytest.raises(SecDataError, match=phrase) as error:
        edgar_over(loopback, attempts=5).document("827876", "0000827876-24-000123", "clsk-20240331.htm")
    assert "https://www.sec.gov" + DOCUMENT_PATH in str(error.value)
    assert [s.host for s in loopback.requests_to(DOCUMENT_PATH)] == ["www.sec.gov"]


def test_a_slow_answer_times_out_and_is_retried(loopback: LoopbackServer, short_timeout: float):
    loopback.script(SUBMISSIONS_PATH, Answer(200, BODY, delay=short_timeout * 8), OK)
    _, raw = edgar_over(loopback, attempts=3).submissions(CIK)
    assert raw == BODY
    assert len(loopback.requests_to(SUBMISSIONS_PATH)) == 2


def test_timeouts_on_every_attempt_fail_clearly(loopback: LoopbackServer, short_timeout: float):
    attempts = 2
    loopback.script(SUBMISSIONS_PATH, *[Answer(200, BODY, delay=short_timeout * 8)] * attempts)
    started = time.monotonic()
    with pytest.raises(SecDataError) as error:
        edgar_over(loopback, attempts=attempts).submissions(CIK)
    elapsed = time.monotonic() - started
    message = str(error.value)
    assert SUBMISSIONS_URL in message
    assert f"failed after {attempts} attempts" in message
    assert "timed out" in message.lower()
    assert isinstance(error.value.__cause__, requests.Timeout)
    assert len(loopback.requests_to(SUBMISSIONS_PATH)) == attempts
    assert elapsed >= attempts * short_timeout  # each attempt really waited for its timeout


def test_backoff_is_exponential_capped_and_really_waits(loopback: LoopbackServer, tenacity_sleeps: list[float]):
    """Four 503s with max_wait 0.2 s: pauses 0.2, 0.2, 0.2 (uncapped they would be 0.5, 1, 2)."""
    attempts, max_wait = 4, 0.2
    loopback.script(SUBMISSIONS_PATH, *[Answer(503, b"busy")] * attempts)
    client = edgar_over(loopback, attempts=attempts, max_wait=max_wait)
    started = time.monotonic()
    with pytest.raises(SecDataError, match=f"failed after {attempts} attempts"):
        client.submissions(CIK)
    elapsed = time.monotonic() - started

    # the client's policy: 0.5 s doubling, capped at max_wait_seconds, between consecutive attempts
    expected = [min(0.5 * 2**k, max_wait) for k in range(attempts - 1)]
    assert tenacity_sleeps == pytest.approx(expected)
    assert all(pause <= max_wait for pause in tenacity_sleeps)  # bounded: never beyond the cap
    assert elapsed >= sum(expected)  # and it did wait
    # generous: fails only if a pause or a request ran away (each attempt is bounded by the client timeout)
    assert elapsed < attempts * (max_wait + edgar.TIMEOUT_SECONDS) + 5
    seen = loopback.requests_to(SUBMISSIONS_PATH)
    assert len(seen) == attempts
    gaps = [later.at - earlier.at for earlier, later in zip(seen, seen[1:], strict=False)]
    assert all(gap >= pause for gap, pause in zip(gaps, expected, strict=True))  # the server saw the pauses


# --- EDGAR over the production session (User-Agent, requests-cache, rate limiter) --------------------------


@pytest.fixture
def production_session(loopback: LoopbackServer, tmp_path: Path):
    session = live_session(USER_AGENT, tmp_path / "cache")
    session.mount("https://", ForwardToLoopback(loopback))
    try:
        yield session
    finally:
        session.close()


def test_live_session_retries_a_429_and_caches_only_the_200(loopback: LoopbackServer, production_session):
    loopback.script(
        SUBMISSIONS_PATH,
        Answer(429, b"Request Rate Threshold Exceeded"),
        Answer(200, BODY, headers={"Content-Type": "application/json", "Cache-Control": "max-age=600"}),
    )
    client = EdgarClient(production_session, attempts=3, max_wait_seconds=FAST_WAIT)
    assert client.submissions(CIK)[1] == BODY
    assert client.submissions(CIK)[1] == BODY  # from the HTTP cache: the 429 was never cached
    seen = loopback.requests_to(SUBMISSIONS_PATH)
    assert len(seen) == 2
    assert {s.headers.get("User-Agent") for s in seen} == {USER_AGENT}
    assert "data.sec.gov" in production_session.limiter.bucket_factory.buckets  # through the rate limiter


def test_live_session_gives_up_on_persistent_503(loopback: LoopbackServer, production_session):
    attempts = 3
    loopback.script(SUBMISSIONS_PATH, *[Answer(503, b"busy")] * attempts)
    client = EdgarClient(production_session, attempts=attempts, max_wait_seconds=FAST_WAIT)
    with pytest.raises(SecDataError, match=rf"{SUBMISSIONS_URL} failed after {attempts} attempts: HTTP 503"):
        client.submissions(CIK)
    assert len(loopback.requests_to(SUBMISSIONS_PATH)) == attempts


def test_live_session_retries_a_timeout(loopback: LoopbackServer, production_session, short_timeout: float):
    loopback.script(FACTS_PATH, Answer(200, BODY, delay=short_timeout * 8), OK)
    client = EdgarClient(production_session, attempts=2, max_wait_seconds=FAST_WAIT)
    assert client.company_facts(CIK)[1] == BODY
    assert len(loopback.requests_to(FACTS_PATH)) == 2


# --- Yahoo: yfinance itself, over a requests session forwarded to the server ---------------------------------

CHARTS = SNAPSHOT_DIR / "yahoo_chart"
YAHOO_HOSTS = {"fc.yahoo.com", "query1.finance.yahoo.com", "query2.finance.yahoo.com", "guce.yahoo.com"}
TOO_MANY = Answer(429, b"Too Many Requests", headers={"Content-Type": "text/plain"})


def yahoo_fallback(seen: Seen) -> Answer:
    """What Yahoo would answer, from the recorded snapshot: cookie, crumb, and the chart JSON (sliced)."""
    url = f"https://{seen.host}{seen.path}" + (f"?{seen.query}" if seen.query else "")
    response = YahooReplayAdapter(CHARTS).send(requests.Request("GET", url).prepare())
    return Answer(response.status_code, response.content)


def yahoo_over(server: LoopbackServer, tmp_path: Path, max_attempts: int) -> YahooClient:
    session = requests.Session()
    session.mount("https://", ForwardToLoopback(server))
    return YahooClient(session=session, cache_dir=tmp_path / "tz", max_attempts=max_attempts, backoff_seconds=0)


def retries_logged(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.name == "orchestration.sources.yahoo" and "Retrying" in r.getMessage() for r in caplog.records)


def test_yahoo_429_is_retried_by_the_client_then_succeeds(
    loopback: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """yfinance retries a 4xx once itself (other cookie strategy) and raises YFRateLimitError on the second
    429; the client's tenacity retry then gets the data. Dates no other test asks for: yfinance memoizes."""
    chart = "/v8/finance/chart/MARA"
    loopback.fallback = yahoo_fallback
    loopback.script(chart, TOO_MANY, TOO_MANY)
    caplog.set_level(logging.WARNING, logger="orchestration.sources.yahoo")

    frame, errors = yahoo_over(loopback, tmp_path, max_attempts=3).download(
        ["MARA"], date(2022, 9, 12), date(2022, 9, 16)
    )

    assert errors == {}
    assert len(split_by_ticker(frame, ["MARA"])["MARA"]) == 5
    assert loopback.pending(chart) == 0  # both 429s were served
    assert len(loopback.requests_to(chart)) >= 3  # two 429s, then the bars (and maybe the timezone probe)
    assert retries_logged(caplog) == 1  # exactly one retry by the client
    assert {s.host for s in loopback.seen} <= YAHOO_HOSTS


def test_yahoo_429_that_persists_is_a_market_data_error_naming_the_tickers(
    loopback: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    def always_limited(seen: Seen) -> Answer:
        return TOO_MANY if seen.path.startswith("/v8/finance/chart/") else yahoo_fallback(seen)

    loopback.fallback = always_limited
    caplog.set_level(logging.WARNING, logger="orchestration.sources.yahoo")

    with pytest.raises(MarketDataError) as error:
        yahoo_over(loopback, tmp_path, max_attempts=2).download(["MARA", "RIOT"], date(2022, 9, 19), date(2022, 9, 23))

    message = str(error.value)
    assert "rate limit" in message and "429" in message
    assert "after 2 attempts" in message
    assert "MARA" in message and "RIOT" in message
    assert retries_logged(caplog) == 1
    charts = {s.path for s in loopback.seen if s.path.startswith("/v8/finance/chart/")}
    assert charts == {"/v8/finance/chart/MARA", "/v8/finance/chart/RIOT"}


def test_yahoo_refusing_connections_is_one_error_naming_the_host(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """Nothing listens where Yahoo should be (connection refused on a real socket): one error for the source,
    naming the host and the cause, instead of one 'possibly delisted' per ticker."""
    closed = LoopbackServer()  # bound, then closed unstarted: its port refuses connections
    closed.httpd.server_close()
    tickers = ["MARA", "RIOT", "BTC-USD"]
    source = YahooSource("live", yahoo_over(closed, tmp_path, max_attempts=1), is_synthetic=False, coverage=None)
    with pytest.raises(SourceUnreachableError) as error:
        source.fetch(tickers, date(2022, 10, 3), date(2022, 10, 7), tmp_path / "payload")
    message = str(error.value)
    assert message.startswith(f"Yahoo Finance cannot be reached: {YAHOO_HOST}: ConnectionError:"), message
    assert "refused" in message.lower()
    assert not any(ticker in message for ticker in tickers)
