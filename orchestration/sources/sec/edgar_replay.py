"""A requests session that answers EDGAR URLs from the bundled snapshot, offline.

The snapshot holds responses as SEC serves them (submissions JSON, companyfacts JSON, filing documents),
gzipped, under the URL's own path, so the live client and parsers run unchanged. Unknown URLs get 404,
as EDGAR answers for an unknown CIK.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import urlparse

import requests
from requests.adapters import BaseAdapter
from requests.models import PreparedRequest, Response


def snapshot_file(snapshot_dir: Path, url: str) -> Path | None:
    """Where the snapshot keeps the body of `url` (None for URLs EDGAR would not serve)."""
    parsed = urlparse(url)
    parts = [p for p in parsed.path.split("/") if p]
    if any(p in {".", ".."} for p in parts):
        return None
    if parsed.netloc == "data.sec.gov" and parts[:1] == ["submissions"] and len(parts) == 2:
        return snapshot_dir / "submissions" / f"{parts[1]}.gz"
    if parsed.netloc == "data.sec.gov" and parts[:3] == ["api", "xbrl", "companyfacts"] and len(parts) == 4:
        return snapshot_dir / "companyfacts" / f"{parts[3]}.gz"
    if parsed.netloc == "www.sec.gov" and parts[:3] == ["Archives", "edgar", "data"] and len(parts) == 6:
        return snapshot_dir / "archives" / parts[3] / parts[4] / f"{parts[5]}.gz"
    return None


class EdgarReplayAdapter(BaseAdapter):
    """Serves EDGAR URLs from `snapshot_dir`; records what was asked, so tests can count requests."""

    def __init__(self, snapshot_dir: Path) -> None:
        super().__init__()
        self.snapshot_dir = snapshot_dir
        self.requested: list[str] = []

    def send(self, request: PreparedRequest, **kwargs) -> Response:
        url = request.url or ""
        self.requested.append(url)
        path = snapshot_file(self.snapshot_dir, url)
        response = Response()
        if path is not None and path.is_file():
            response.status_code, response.reason = 200, "OK"
            response._content = gzip.decompress(path.read_bytes())
        else:
            response.status_code, response.reason = 404, "Not Found"
            response._content = b"<Error><Code>NoSuchKey</Code></Error>"
        response.headers["Content-Type"] = "application/json" if url.endswith(".json") else "text/html"
        response.url = url
        response.request = request
        return response

    def close(self) -> None:
        pass


def replay_session(snapshot_dir: Path) -> requests.Session:
    session = requests.Session()
    adapter = EdgarReplayAdapter(snapshot_dir)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
