"""A requests session that answers Yahoo's chart endpoints from recorded responses, offline.

yfinance itself requests the cookie, the crumb and `/v8/finance/chart/{symbol}` and parses the answer,
so the snapshot runs the same code as a live download. Responses are sliced to the requested period.
"""

from __future__ import annotations

import copy
import gzip
import json
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import requests
from requests.adapters import BaseAdapter
from requests.models import PreparedRequest, Response

NOT_FOUND = {
    "chart": {"result": None, "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"}}
}


@cache
def _load_chart(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


def _slice(body: dict, params: dict[str, list[str]]) -> dict:
    result = body["chart"]["result"][0]
    stamps = result["timestamp"]
    if "period1" in params:
        low, high = int(params["period1"][0]), int(params["period2"][0])
        keep = [i for i, ts in enumerate(stamps) if low <= ts < high]
    else:  # range=1d etc.: the latest bar (yfinance asks this for the exchange timezone)
        keep = [len(stamps) - 1] if stamps else []
    sliced = copy.deepcopy(result)
    sliced["timestamp"] = [stamps[i] for i in keep]
    quote = result["indicators"]["quote"][0]
    sliced["indicators"]["quote"] = [{k: [v[i] for i in keep] for k, v in quote.items()}]
    adj = result["indicators"]["adjclose"][0]["adjclose"]
    sliced["indicators"]["adjclose"] = [{"adjclose": [adj[i] for i in keep]}]
    return {"chart": {"result": [sliced], "error": None}}


class YahooReplayAdapter(BaseAdapter):
    """Serves `{chart_dir}/{SYMBOL}.json.gz`; any other Yahoo URL gets an empty 200 (cookie, crumb)."""

    def __init__(self, chart_dir: Path) -> None:
        super().__init__()
        self.chart_dir = chart_dir
        self.requested: list[str] = []

    def send(self, request: PreparedRequest, **kwargs) -> Response:
        url = urlparse(request.url or "")
        self.requested.append(request.url or "")
        status, body = 200, b""
        if url.path.endswith("/getcrumb"):
            body = b"offline-snapshot-crumb"
        elif url.path.startswith("/v8/finance/chart/"):
            symbol = unquote(url.path.rsplit("/", 1)[1])
            path = self.chart_dir / f"{symbol}.json.gz"
            if path.parent == self.chart_dir and path.is_file():  # never a file outside the snapshot
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


def replay_session(chart_dir: Path) -> requests.Session:
    session = requests.Session()
    adapter = YahooReplayAdapter(chart_dir)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
