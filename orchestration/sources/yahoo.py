"""Daily bars from Yahoo Finance through yfinance (live), or through a replay session (snapshot)."""

from __future__ import annotations

import logging
import warnings
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import yfinance as yf
from pandas.errors import Pandas4Warning
from tenacity import before_sleep_log, retry, retry_if_exception_type, stop_after_attempt, wait_exponential
from yfinance.data import YfData
from yfinance.exceptions import YFRateLimitError

from orchestration.sources.errors import MarketDataError, SourceUnreachableError

# yfinance, when imported, shows every DeprecationWarning raised from its modules. pandas 3 deprecates the
# `inplace=` its download code passes to sort_index and rename (several times per download); no argument of
# ours avoids that code, and the fix is yfinance's. Only these are hidden: yfinance's own deprecations, which
# would be about how we call it, still show.
warnings.filterwarnings(
    "ignore", message=r"The inplace keyword in DataFrame\.", category=Pandas4Warning, module=r"yfinance\."
)

log = logging.getLogger(__name__)

# Where yfinance asks for daily bars (yfinance.const._BASE_URL_): the host a reachability probe asks.
YAHOO_HOST = "query2.finance.yahoo.com"
PROBE_TIMEOUT_SECONDS = 15
# The per-ticker error yfinance logs when its timezone cache (SQLite) stayed locked past its timeout.
CACHE_LOCKED = "database is locked"


class _Collect(logging.Handler):
    """yf.download logs per-ticker failures instead of raising them: keep the messages."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _errors_by_ticker(messages: list[str], tickers: list[str]) -> dict[str, str]:
    text = "\n".join(messages)
    errors = {}
    for line in text.splitlines():
        for ticker in tickers:
            if f"'{ticker}'" in line:
                errors[ticker] = line.split(":", 1)[-1].strip()
    return errors


def _with_columns_of(frame: pd.DataFrame, other: pd.DataFrame, tickers: list[str]) -> pd.DataFrame:
    """`frame` (a batched download) with the columns of `tickers` taken from `other` (their second download)."""
    if other.empty:
        return frame
    if frame.empty:
        return other
    kept = frame.drop(columns=tickers, level="Ticker", errors="ignore")
    return pd.concat([kept, other], axis=1).sort_index()


class YahooClient:
    """Batched yfinance downloads with both closes kept and rate limits retried with backoff."""

    def __init__(
        self, session=None, cache_dir: Path | None = None, max_attempts: int = 4, backoff_seconds: float = 2.0
    ) -> None:
        self.session = session
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        if cache_dir is not None:  # keep yfinance's timezone cache out of the home folder
            cache_dir.mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(cache_dir))

    def download(self, tickers: list[str], start: date, end: date) -> tuple[pd.DataFrame, dict[str, str]]:
        """Bars for `tickers` from `start` to `end` (both inclusive) and the per-ticker errors.

        A rate limit that outlasts the retries raises MarketDataError naming the tickers.
        """

        @retry(
            retry=retry_if_exception_type(YFRateLimitError),
            stop=stop_after_attempt(self.max_attempts),
            wait=wait_exponential(multiplier=self.backoff_seconds, max=60),
            before_sleep=before_sleep_log(log, logging.WARNING),
            reraise=True,
        )
        def attempt(asked: list[str], threads: bool) -> tuple[pd.DataFrame, dict[str, str]]:
            # yfinance keeps every answer to its per-ticker timezone request for the life of the process
            # (YfData.cache_get, an lru_cache, errors included): a ticker refused once would fail every later
            # download in this process as 'possibly delisted; no timezone found'. Each attempt asks afresh.
            YfData.cache_get.cache_clear()
            collect = _Collect()
            yf_logger = logging.getLogger("yfinance")
            yf_logger.addHandler(collect)
            try:
                frame = yf.download(
                    asked,
                    start=start.isoformat(),
                    end=(end + timedelta(days=1)).isoformat(),
                    interval="1d",
                    auto_adjust=False,
                    actions=False,
                    group_by="column",
                    progress=False,
                    threads=threads,
                    session=self.session,
                    multi_level_index=True,
                )
            finally:
                yf_logger.removeHandler(collect)
            errors = _errors_by_ticker(collect.messages, asked)
            if any("ratelimit" in msg.lower().replace(" ", "") for msg in collect.messages):
                raise YFRateLimitError()
            return (frame if frame is not None else pd.DataFrame()), errors

        try:
            frame, errors = attempt(tickers, threads=True)
            # yfinance's download threads share its timezone cache, one SQLite file: on a busy machine a thread
            # can wait out SQLite's lock and lose its ticker (ranaroussi/yfinance#1274). Those tickers are
            # asked again, one at a time.
            locked = [ticker for ticker in tickers if CACHE_LOCKED in errors.get(ticker, "")]
            if locked:
                log.warning("yfinance's timezone cache was locked for %s: asked again", ", ".join(locked))
                again, again_errors = attempt(locked, threads=False)
                frame = _with_columns_of(frame, again, locked)
                errors = {t: e for t, e in errors.items() if t not in locked} | again_errors
            return frame, errors
        except YFRateLimitError as error:
            raise MarketDataError(
                f"Yahoo rate limit (HTTP 429) persisted after {self.max_attempts} attempts "
                f"downloading {', '.join(tickers)} for {start}..{end}"
            ) from error

    def unreachable(self) -> str | None:
        """What is wrong when Yahoo cannot be used at all, else None: its host gives no HTTP answer (DNS,
        connection refused, timeout), or answers a chart request for SPY, which always exists, with an error.

        yfinance turns a network failure into one 'possibly delisted; no timezone found' per ticker; one request
        of our own, over the same transport (the client's session, or curl_cffi as yfinance uses), tells them
        apart.
        """
        url = f"https://{YAHOO_HOST}/v8/finance/chart/SPY"
        try:
            if self.session is not None:
                response = self.session.get(url, timeout=PROBE_TIMEOUT_SECONDS)
            else:
                from curl_cffi import requests as curl_requests

                response = curl_requests.get(url, timeout=PROBE_TIMEOUT_SECONDS, impersonate="chrome")
        except Exception as error:  # any failure to get an answer is the diagnosis
            return f"cannot be reached: {YAHOO_HOST}: {type(error).__name__}: {' '.join(str(error).split())}"
        if response.status_code >= 400:
            return f"refuses requests: {YAHOO_HOST} answered HTTP {response.status_code} to a chart request for SPY"
        return None


def check_reachable(client: YahooClient, tickers: list[str], errors: dict[str, str], start: date, end: date) -> None:
    """When no ticker returned a bar: raise SourceUnreachableError, once, if Yahoo cannot be used at all or
    every ticker failed with the same error; otherwise (Yahoo answered, the tickers had nothing) return."""
    window = f"{start}..{end}"
    if why := client.unreachable():
        raise SourceUnreachableError(
            f"Yahoo Finance {why}; no ticker was downloaded for {window} (check the network, proxy or DNS; "
            "yfinance reports this as tickers 'possibly delisted')"
        )
    reasons = {errors.get(ticker) for ticker in tickers}
    if len(tickers) > 1 and len(reasons) == 1 and None not in reasons:
        raise SourceUnreachableError(
            f"Yahoo Finance ({YAHOO_HOST}) failed the same way for all {len(tickers)} tickers for {window}: "
            f"{reasons.pop()}"
        )


def split_by_ticker(frame: pd.DataFrame, tickers: list[str]) -> dict[str, pd.DataFrame]:
    """One frame per ticker (Date index, yfinance's price columns) from a batched download."""
    if frame.empty:
        return {}
    if not isinstance(frame.columns, pd.MultiIndex):
        return {tickers[0]: frame} if len(tickers) == 1 else {}
    level = "Ticker" if "Ticker" in frame.columns.names else 1
    out = {}
    for ticker in frame.columns.get_level_values(level).unique():
        part = frame.xs(ticker, axis=1, level=level).dropna(how="all")
        if not part.empty:
            out[str(ticker)] = part
    return out
