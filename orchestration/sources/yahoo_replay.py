"""A requests session that answers Yahoo's chart endpoints from recorded responses, offline.

yfinance itself requests the cookie, the crumb and `/v8/finance/chart/{symbol}` and parses the answer,
so the snapshot runs the same code as a live download. Responses are sliced to the requested period
(`period1`/`period2`, or a `range` such as `2y` counted back from the last bar), events included.

The snapshot serves `{chart_dir}/{SYMBOL}.json.gz`; any recorded chart response (plain or gzipped JSON, e.g.
one saved from Yahoo) can be served for a symbol by passing `charts={symbol: path}`.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import requests
from requests.adapters import BaseAdapter
from requests.models import PreparedRequest, Response

NOT_FOUND = {
    "chart": {"result": None, "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"}}
}


RANGE_SECONDS = {"d": 86_400, "wk": 7 * 86_400, "mo": 31 * 86_400, "y": 366 * 86_400}
RANGE_PATTERN = re.compile(r"^([0-9]+)(d|wk|mo|y)\Z")


@cache
def _load_chart(path: Path) -> dict:
    raw = path.read_bytes()
    return json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)


def _kept_range(stamps: list[int], params: dict[str, list[str]]) -> tuple[int, int]:
    """The [low, high) span of timestamps the request asks for."""
    if "period1" in params:
        return int(params["period1"][0]), int(params.get("period2", [str(2**62)])[0])
    last = stamps[-1] if stamps else 0
    span = (params.get("range") or ["1d"])[0]
    if span == "1d":  # the latest bar (yfinance asks this for the exchange timezone)
        return last, last + 1
    match = RANGE_PATTERN.match(span)
    if not match:  # max, ytd or anything else: all of the recorded response
        return -(2**62), last + 1
    return last - int(match.group(1)) * RANGE_SECONDS[match.group(2)], last + 1


def _slice(body: dict, params: dict[str, list[str]]) -> dict:
    result = body["chart"]["result"][0]
    stamps = result.get("timestamp") or []
    low, high = _kept_range(stamps, params)
    keep = [i for i, ts in enumerate(stamps) if low <= ts < high]
    sliced = copy.deepcopy(result)
    sliced["timestamp"] = [stamps[i] for i in keep]
    for name, series in (result.get("indicators") or {}).items():  # quote, adjclose: one dict of arrays each
        if series:
            sliced["indicators"][name] = [{k: [v[i] for i in keep] for k, v in series[0].items()}]
    if isinstance(result.get("events"), dict):  # dividends and splits inside the span only
        sliced["events"] = {
            kind: {ts: event for ts, event in events.items() if low <= int(event.get("date", ts)) < high}
            for kind, events in result["events"].items()
        }
    return {"chart": {"result": [sliced], "error": None}}


class YahooReplayAdapter(BaseAdapter):
    """Serves `charts[SYMBOL]`, else `{chart_dir}/{SYMBOL}.json.gz`; any other Yahoo URL gets an empty 200
    (cookie, crumb)."""

    def __init__(self, chart_dir: Path | None = None, charts: Mapping[str, Path] | None = None) -> None:
        super().__init__()
        self.chart_dir = chart_dir
        self.charts = dict(charts or {})
        self.requested: list[str] = []

    def chart_path(self, symbol: str) -> Path | None:
        """The recorded response for `symbol`, never a file outside the snapshot folder or the given charts."""
        if symbol in self.charts:
            return self.charts[symbol]
        if self.chart_dir is None:
            return None
        path = self.chart_dir / f"{symbol}.json.gz"
        return path if path.parent == self.chart_dir and path.is_file() else None

    def send(self, request: PreparedRequest, **kwargs) -> Response:
        url = urlparse(request.url or "")
        self.requested.append(request.url or "")
        status, body = 200, b""
        if url.path.endswith("/getcrumb"):
            body = b"offline-snapshot-crumb"
        elif url.path.startswith("/v8/finance/chart/"):
            symbol = unquote(url.path.rsplit("/", 1)[1])
            path = self.chart_path(symbol)
            if path is not None:
                body = json.dumps(_slice(_load_chart(path), parse_qs(url.query))).encode()
            else:
                status, body = 404, json.dumps(NOT_FOUND).encode()
        response = Response()
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = "application/json"
        response.url = request.url or ""
        response.request = request
        response.reason = "OK" if status == 200 else "Not Found"
        return response

    def close(self) -> None:
        pass


def replay_session(chart_dir: Path | None = None, charts: Mapping[str, Path] | None = None) -> requests.Session:
    session = requests.Session()
    adapter = YahooReplayAdapter(chart_dir, charts)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
