"""The CoinMetrics community API (keyless): bitcoin's daily network metrics, page by page.

`GET /v4/timeseries/asset-metrics?assets=btc&metrics=...&frequency=1d` answers `{"data": [{"asset", "time",
<metric>: "<decimal string>"}], "next_page_url"}`. The community tier allows 10 requests per 6 seconds per IP:
live sessions are rate-limited and cached (requests-ratelimiter, requests-cache), and the client retries
with exponential backoff (tenacity) on 429, 5xx and timeouts. The session is the seam: the snapshot and the
tests pass one that replays recorded responses offline, through the same client and parser.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import requests
import tenacity
from requests.adapters import BaseAdapter
from requests.models import PreparedRequest, Response

from orchestration.sources.errors import NetworkDataError
from orchestration.sources.network.daily import Part
from orchestration.sources.network.files import coinmetrics_rows

COINMETRICS_URL = "https://community-api.coinmetrics.io/v4/timeseries/asset-metrics"
# DiffMean is asked for too; a metric the community tier does not serve is left out of the answer
# (`ignore_forbidden_errors`), and its field stays null.
METRICS = ("HashRate", "DiffMean", "BlkCnt", "IssTotNtv", "IssTotUSD", "FeeTotNtv", "PriceUSD")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TIMEOUT_SECONDS = 30
PAGE_SIZE = 10_000
REQUESTS_PER_MINUTE = 60  # under the community tier's 10 per 6 seconds


class RetryableHttpError(Exception):
    """A 429 or 5xx answer: worth another try after a pause."""


@dataclass
class CoinMetricsClient:
    """Fetches the daily btc metrics through `session`; errors name the URL."""

    session: requests.Session
    attempts: int = 4
    wait_seconds: float = 1.0  # the first backoff; tests pass 0

    def _get(self, url: str, params: dict | None) -> bytes:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((RetryableHttpError, requests.Timeout, requests.ConnectionError)),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=self.wait_seconds, max=30 * self.wait_seconds),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = self.session.get(url, params=params, timeout=TIMEOUT_SECONDS)
                    if response.status_code in RETRY_STATUSES:
                        raise RetryableHttpError(f"HTTP {response.status_code}")
        except (RetryableHttpError, requests.RequestException) as error:
            raise NetworkDataError(f"CoinMetrics {url} failed after {self.attempts} attempts: {error}") from error
        if response.status_code != 200:
            raise NetworkDataError(f"CoinMetrics {url} answered HTTP {response.status_code}: {response.text[:200]}")
        return response.content

    def pages(self, start: date, end: date) -> Iterator[bytes]:
        """Each page's body as received, `start`..`end` inclusive, following `next_page_url`."""
        url: str | None = COINMETRICS_URL
        params: dict | None = {
            "assets": "btc",
            "metrics": ",".join(METRICS),
            "frequency": "1d",
            "start_time": start.isoformat(),
            "end_time": end.isoformat(),
            "page_size": PAGE_SIZE,
            "ignore_forbidden_errors": "true",
            "ignore_unsupported_errors": "true",
        }
        while url:
            body = self._get(url, params)
            yield body
            url, params = _page(body, url).get("next_page_url"), None  # the next URL carries the query


def _page(body: bytes, origin: str) -> dict:
    try:
        page = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise NetworkDataError(f"{origin}: malformed JSON: {error}") from error
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise NetworkDataError(f"{origin}: field data: expected an object with a `data` list")
    return page


def parse_page(body: bytes, origin: str) -> Part:
    """One page's rows in the table's units (the API's values are decimal strings)."""
    frame = pd.DataFrame(_page(body, origin)["data"])
    days = pd.to_datetime(frame.get("time", pd.Series(dtype=str)), utc=True).dt.date
    return Part(origin, "coinmetrics_api", coinmetrics_rows(frame, days, origin))


def live_session(cache_dir: Path) -> requests.Session:
    """A cached, rate-limited session (cache hits do not count against the limit)."""
    from requests_cache import CacheMixin
    from requests_ratelimiter import LimiterMixin

    class CachedLimiterSession(CacheMixin, LimiterMixin, requests.Session):
        pass

    cache_dir.mkdir(parents=True, exist_ok=True)
    return CachedLimiterSession(
        cache_name=str(cache_dir / "coinmetrics_http_cache"),
        backend="sqlite",
        expire_after=3600,  # today's row changes during the day
        allowable_codes=(200,),
        per_minute=REQUESTS_PER_MINUTE,
    )


@cache
def _recorded(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


class CoinMetricsReplayAdapter(BaseAdapter):
    """Answers asset-metrics requests from a recorded response (gzipped JSON), sliced to the request's
    `start_time`..`end_time` and metrics, in one page."""

    def __init__(self, recorded: Path) -> None:
        super().__init__()
        self.recorded = recorded

    def send(self, request: PreparedRequest, **kwargs) -> Response:
        query = parse_qs(urlparse(request.url or "").query)
        metrics = set(",".join(query.get("metrics", [""])).split(","))
        start, end = query.get("start_time", ["0000"])[0], query.get("end_time", ["9999"])[0]
        rows = [
            {k: v for k, v in row.items() if k in ("asset", "time") or k in metrics}
            for row in _recorded(self.recorded)["data"]
            if start <= row["time"][:10] <= end
        ]
        response = Response()
        response.status_code = 200
        response._content = json.dumps({"data": rows}).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def replay_session(recorded: Path) -> requests.Session:
    session = requests.Session()
    session.mount("https://", CoinMetricsReplayAdapter(recorded))
    return session
