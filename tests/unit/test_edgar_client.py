"""The EDGAR client against a scripted transport: retries, errors that name the CIK and URL, identifier
checks before any request, the live session's cache, User-Agent and rate limit, and the snapshot replay."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse

from orchestration.sources.errors import SecDataError, SecPayloadError
from orchestration.sources.sec.edgar import (
    MAX_REQUESTS_PER_SECOND,
    EdgarClient,
    check_accession,
    check_document,
    check_user_agent,
    company_facts_url,
    document_url,
    live_session,
    normalize_cik,
    submissions_url,
)
from orchestration.sources.sec.edgar_replay import replay_session, snapshot_file
from orchestration.sources.sec.source import Company, EdgarSource, build_sec_source, resolve_sec_source

USER_AGENT = "Miner Convergence research@example.com"
CIK = "0000827876"
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK0000827876.json"
BODY = json.dumps({"cik": CIK, "name": "CleanSpark, Inc.", "filings": {"recent": {}}}).encode()
JSON_HEADERS = {"Content-Type": "application/json"}


class FakeTransport(BaseAdapter):
    """Answers each request with the next scripted answer: (status, body[, headers]) or an exception to raise.

    When the script runs out it answers `default` (or fails the test: an unexpected request). Every request's
    URL and headers are recorded.
    """

    def __init__(self, *script, default=None) -> None:
        super().__init__()
        self.script = list(script)
        self.default = default
        self.seen: list[tuple[str, dict[str, str]]] = []

    @property
    def urls(self) -> list[str]:
        return [url for url, _ in self.seen]

    def send(self, request, **kwargs):
        self.seen.append((request.url, dict(request.headers)))
        answer = self.script.pop(0) if self.script else self.default
        if answer is None:
            raise AssertionError(f"unexpected request to {request.url}")
        if isinstance(answer, BaseException):
            raise answer
        status, body, *rest = answer
        headers = rest[0] if rest else JSON_HEADERS
        raw = HTTPResponse(
            body=io.BytesIO(body), headers=headers, status=status, preload_content=False, decode_content=False
        )
        return HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass


def client_for(transport: FakeTransport, attempts: int = 5) -> EdgarClient:
    session = requests.Session()
    session.mount("https://", transport)
    session.mount("http://", transport)
    return EdgarClient(session, attempts=attempts, max_wait_seconds=0.01)


# --- retries and HTTP errors ---------------------------------------------------------------------------------


def test_429_is_retried_once_then_the_body_is_returned():
    transport = FakeTransport((429, b"slow down"), (200, BODY))
    parsed, raw = client_for(transport).submissions("827876")
    assert raw == BODY
    assert parsed["name"] == "CleanSpark, Inc."
    assert transport.urls == [SUBMISSIONS_URL, SUBMISSIONS_URL]


def test_503_forever_gives_up_after_exactly_the_configured_attempts():
    transport = FakeTransport(default=(503, b"busy"))
    with pytest.raises(SecDataError) as error:
        client_for(transport, attempts=3).submissions(CIK)
    message = str(error.value)
    assert SUBMISSIONS_URL in message
    assert "failed after 3 attempts" in message
    assert "HTTP 503" in message
    assert "CIK 0000827876" in message
    assert len(transport.seen) == 3


@pytest.mark.parametrize(
    "failure", [requests.Timeout("read timed out"), requests.ConnectionError("connection reset")], ids=repr
)
def test_timeouts_and_dropped_connections_are_retried(failure):
    transport = FakeTransport(failure, (200, BODY))
    _, raw = client_for(transport).submissions(CIK)
    assert raw == BODY
    assert len(transport.seen) == 2


def test_timeouts_forever_raise_sec_data_error_not_requests_errors():
    transport = FakeTransport(default=requests.Timeout("read timed out"))
    with pytest.raises(SecDataError, match=r"failed after 2 attempts: read timed out") as error:
        client_for(transport, attempts=2).company_facts(CIK)
    assert "https://data.sec.gov/api/xbrl/companyfacts/CIK0000827876.json" in str(error.value)
    assert len(transport.seen) == 2


def test_404_names_the_cik_and_is_not_retried():
    transport = FakeTransport((404, b"<Error>NoSuchKey</Error>"))
    with pytest.raises(SecDataError) as error:
        client_for(transport).submissions("827876")
    message = str(error.value)
    assert "CIK 0000827876" in message
    assert "not found" in message
    assert SUBMISSIONS_URL in message
    assert len(transport.seen) == 1


def test_403_is_reported_with_its_status_and_not_retried():
    transport = FakeTransport((403, b"Request Rate Threshold Exceeded"))
    with pytest.raises(SecDataError, match=r"answered HTTP 403"):
        client_for(transport).submissions(CIK)
    assert len(transport.seen) == 1


def test_html_instead_of_json_is_malformed_json_naming_cik_and_url():
    transport = FakeTransport((200, b"<html><body>Your request has been blocked</body></html>"))
    with pytest.raises(SecDataError) as error:
        client_for(transport).submissions("827876")
    message = str(error.value)
    assert "malformed JSON" in message
    assert "CIK 0000827876" in message
    assert SUBMISSIONS_URL in message


def test_a_json_array_is_rejected_as_not_an_object():
    transport = FakeTransport((200, b"[1, 2, 3]"))
    with pytest.raises(SecDataError, match=r"expected a JSON object from .*CIK0000827876\.json, got list"):
        client_for(transport).submissions(CIK)


def test_an_empty_body_is_rejected():
    transport = FakeTransport((200, b""))
    with pytest.raises(SecDataError, match=r"CIK 0000827876 companyfacts: .* returned an empty body"):
        client_for(transport).company_facts(CIK)


def test_documents_are_fetched_from_the_archives_url():
    transport = FakeTransport((200, b"<html>10-Q</html>", {"Content-Type": "text/html"}))
    body = client_for(transport).document("827876", "0000827876-24-000123", "clsk-20240331.htm")
    assert body == b"<html>10-Q</html>"
    assert transport.urls == ["https://www.sec.gov/Archives/edgar/data/827876/000082787624000123/clsk-20240331.htm"]


# --- identifiers are checked before any request --------------------------------------------------------------


@pytest.mark.parametrize("cik", ["12345678901", "abc", "../1", "", "-1", "12 34", "\u0661\u0662\u0663"])
def test_bad_ciks_are_rejected_before_any_request(cik):
    transport = FakeTransport()
    with pytest.raises(SecDataError, match=r"invalid CIK"):
        normalize_cik(cik)
    with pytest.raises(SecDataError, match=r"invalid CIK"):
        client_for(transport).submissions(cik)
    assert transport.seen == []


@pytest.mark.parametrize(("cik", "expected"), [(827876, "0000827876"), ("827876", "0000827876"), (" 1 ", "0000000001")])
def test_ciks_are_zero_padded_to_ten_digits(cik, expected):
    assert normalize_cik(cik) == expected


@pytest.mark.parametrize(
    "accession", ["0000827876-24-00001", "../../etc", "000082787624000123", "", "0000827876-24-000123\n"]
)
def test_bad_accessions_are_rejected_before_any_request(accession):
    transport = FakeTransport()
    with pytest.raises(SecDataError, match=r"invalid accession number"):
        check_accession(accession)
    with pytest.raises(SecDataError, match=r"invalid accession number"):
        client_for(transport).document(CIK, accession, "clsk-20240331.htm")
    assert transport.seen == []


@pytest.mark.parametrize("document", ["../x.htm", "a/b.htm", "..", ".hidden", "x.htm?y=1", "", "x.htm\n"])
def test_bad_document_names_are_rejected_before_any_request(document):
    transport = FakeTransport()
    with pytest.raises(SecDataError, match=r"invalid document name"):
        check_document(document)
    with pytest.raises(SecDataError, match=r"invalid document name"):
        client_for(transport).document(CIK, "0000827876-24-000123", document)
    assert transport.seen == []


def test_url_builders():
    assert document_url("827876", "0000827876-24-000123", "clsk-20240331.htm") == (
        "https://www.sec.gov/Archives/edgar/data/827876/000082787624000123/clsk-20240331.htm"
    )
    assert submissions_url("827876") == SUBMISSIONS_URL
    assert company_facts_url(827876) == "https://data.sec.gov/api/xbrl/companyfacts/CIK0000827876.json"


# --- User-Agent and the live session -------------------------------------------------------------------------


@pytest.mark.parametrize("user_agent", [None, "", "   ", "just a name", "research@example.com"])
def test_user_agent_needs_a_name_and_an_email(user_agent):
    with pytest.raises(SecDataError, match=r"SEC_USER_AGENT must be set"):
        check_user_agent(user_agent)


def test_a_name_and_an_email_is_a_valid_user_agent():
    assert check_user_agent(f"  {USER_AGENT} ") == USER_AGENT


def test_live_source_without_a_user_agent_fails_before_touching_the_cache(tmp_path: Path):
    cache_dir = tmp_path / "http_cache"
    with pytest.raises(SecDataError, match=r"SEC_USER_AGENT must be set"):
        build_sec_source("live", None, None, cache_dir)
    assert not cache_dir.exists()


def test_live_session_caches_sends_the_user_agent_and_is_rate_limited(tmp_path: Path):
    transport = FakeTransport(
        (200, BODY, {"Content-Type": "application/json", "Cache-Control": "max-age=600"}),
    )
    session = live_session(USER_AGENT, tmp_path)
    session.mount("https://", transport)
    try:
        first = session.get(SUBMISSIONS_URL, timeout=5)
        second = session.get(SUBMISSIONS_URL, timeout=5)

        assert first.content == second.content == BODY
        assert (first.from_cache, second.from_cache) == (False, True)
        assert transport.urls == [SUBMISSIONS_URL]  # the second answer came from the HTTP cache
        assert transport.seen[0][1]["User-Agent"] == USER_AGENT
        assert list(tmp_path.glob("edgar_http_cache*")), "no cache file under the cache dir"

        # SEC's limit, per host: 10 requests in any one second.
        factory = session.limiter.bucket_factory
        assert [(rate.limit, rate.interval) for rate in factory.rates] == [(MAX_REQUESTS_PER_SECOND, 1000)]
        assert MAX_REQUESTS_PER_SECOND == 10
        assert "data.sec.gov" in factory.buckets  # the request went through the limiter
        acquired = [session.limiter.try_acquire("probe.example", blocking=False) for _ in range(11)]
        assert acquired == [True] * 10 + [False]
    finally:
        session.close()


def test_live_source_uses_the_edgar_client_over_a_live_session(tmp_path: Path):
    source = build_sec_source("live", USER_AGENT, None, tmp_path)
    try:
        assert source.name == "live"
        assert source.is_synthetic is False
        assert source.client.session.headers["User-Agent"] == USER_AGENT
    finally:
        source.client.session.close()


# --- choosing the source -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sec_source", "market_source", "expected"),
    [
        ("", "live", "live"),
        (None, "live", "live"),
        ("", "snapshot", "snapshot"),
        ("", "csv", "snapshot"),
        (None, None, "snapshot"),
        ("files", "live", "files"),
        ("snapshot", "live", "snapshot"),
        ("LIVE ", "snapshot", "live"),
    ],
)
def test_resolve_sec_source(sec_source, market_source, expected):
    assert resolve_sec_source(sec_source, market_source) == expected


def test_an_unknown_sec_source_names_the_setting():
    with pytest.raises(SecDataError, match=r"MINERS_SEC_SOURCE='ftp' is not one of snapshot, live, files"):
        resolve_sec_source("ftp", "live")


def test_files_source_needs_a_folder(tmp_path: Path):
    with pytest.raises(SecDataError, match=r"MINERS_SEC_FILES_DIR"):
        build_sec_source("files", None, None, tmp_path)
    assert build_sec_source("files", None, str(tmp_path), tmp_path).folder == tmp_path


# --- replay from a snapshot ----------------------------------------------------------------------------------


def _write_gz(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content))


@pytest.fixture
def snapshot_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sec"
    _write_gz(folder / "submissions" / "CIK0000827876.json.gz", BODY)
    _write_gz(folder / "submissions" / "CIK0000827876-submissions-001.json.gz", b'{"accessionNumber": []}')
    _write_gz(folder / "companyfacts" / "CIK0000827876.json.gz", b'{"cik": 827876, "facts": {}}')
    _write_gz(
        folder / "archives" / "827876" / "000082787624000123" / "clsk-20240331.htm.gz", b"<html>inline XBRL</html>"
    )
    return folder


def test_replay_serves_the_snapshot_decompressed(snapshot_dir: Path):
    client = EdgarClient(replay_session(snapshot_dir), attempts=1, max_wait_seconds=0.01)
    assert client.submissions("827876") == (json.loads(BODY), BODY)
    assert client.submissions_page(CIK, "CIK0000827876-submissions-001.json")[0] == {"accessionNumber": []}
    assert client.company_facts(CIK)[0] == {"cik": 827876, "facts": {}}
    assert client.document(CIK, "0000827876-24-000123", "clsk-20240331.htm") == b"<html>inline XBRL</html>"
    adapter = client.session.get_adapter("https://data.sec.gov/")
    assert adapter.requested[0] == SUBMISSIONS_URL
    assert len(adapter.requested) == 4


def test_replay_answers_404_for_unknown_urls(snapshot_dir: Path):
    session = replay_session(snapshot_dir)
    assert session.get("https://data.sec.gov/submissions/CIK0000000001.json").status_code == 404
    assert session.get("https://example.com/submissions/CIK0000827876.json").status_code == 404
    assert session.get(SUBMISSIONS_URL).status_code == 200


def test_replay_never_maps_dot_segments_outside_the_snapshot(snapshot_dir: Path):
    assert snapshot_file(snapshot_dir, "https://data.sec.gov/submissions/..") is None
    assert snapshot_file(snapshot_dir, "https://www.sec.gov/Archives/edgar/data/../../x/y") is None
    assert snapshot_file(snapshot_dir, SUBMISSIONS_URL) == snapshot_dir / "submissions" / "CIK0000827876.json.gz"


def test_replay_unknown_cik_raises_naming_the_cik(snapshot_dir: Path):
    client = EdgarClient(replay_session(snapshot_dir), attempts=3, max_wait_seconds=0.01)
    with pytest.raises(SecDataError, match=r"CIK 0000000001 submissions: not found at "):
        client.submissions("1")
    assert client.session.get_adapter("https://data.sec.gov/").requested == [
        "https://data.sec.gov/submissions/CIK0000000001.json"
    ]


# --- what a rejected response carries, for the asset to keep ---------------------------------------------------


def _source_with_pages(folder: Path, page: bytes | None) -> EdgarSource:
    """A submissions index listing one page, `page` (None: not found)."""
    listing = {"recent": {}, "files": [{"name": "CIK0000827876-submissions-001.json", "filingTo": "2024-12-31"}]}
    _write_gz(folder / "submissions" / "CIK0000827876.json.gz", json.dumps({"cik": CIK, "filings": listing}).encode())
    if page is not None:
        _write_gz(folder / "submissions" / "CIK0000827876-submissions-001.json.gz", page)
    return EdgarSource("snapshot", EdgarClient(replay_session(folder), attempts=1, max_wait_seconds=0.01), True)


@pytest.mark.parametrize(("body", "kind"), [(b'{"accessionNumber": [', "malformed JSON"), (b"[]", "got list")])
def test_a_rejected_json_body_is_carried_by_the_error(tmp_path: Path, body: bytes, kind: str):
    _write_gz(tmp_path / "companyfacts" / "CIK0000827876.json.gz", body)
    source = EdgarSource("snapshot", EdgarClient(replay_session(tmp_path), attempts=1), True)
    with pytest.raises(SecPayloadError, match=kind) as error:
        source.company_facts(Company("CLSK", CIK))
    assert error.value.body == body
    assert [(f.origin, f.body) for f in error.value.received] == [("companyfacts/CIK0000827876.json", body)]


def test_a_bad_submissions_page_carries_the_index_and_the_page(tmp_path: Path):
    source = _source_with_pages(tmp_path, b"not json")
    with pytest.raises(SecPayloadError, match=r"page CIK0000827876-submissions-001\.json: malformed JSON") as error:
        source.submissions(Company("CLSK", CIK))
    received = [(f.origin, f.body) for f in error.value.received]
    assert [origin for origin, _ in received] == [
        "submissions/CIK0000827876.json",
        "submissions/CIK0000827876-submissions-001.json",
    ]
    assert received[1][1] == b"not json"


def test_a_missing_submissions_page_carries_the_index(tmp_path: Path):
    source = _source_with_pages(tmp_path, None)
    with pytest.raises(SecPayloadError, match=r"not found at .*CIK0000827876-submissions-001\.json") as error:
        source.submissions(Company("CLSK", CIK))
    assert [f.origin for f in error.value.received] == ["submissions/CIK0000827876.json"]
