"""SEC EDGAR over HTTP: submissions, companyfacts and filing documents, with the SEC's rules built in.

SEC asks for a User-Agent naming a company and a contact email and at most 10 requests a second; it
answers 429 when pushed. Live sessions therefore carry the configured User-Agent, a rate limiter
(requests-ratelimiter), an HTTP cache (requests-cache, honouring Cache-Control/ETag) and retries with
exponential backoff (tenacity) on 429, 5xx and timeouts. The snapshot swaps the transport for a
replay adapter, so the same client and parsers run offline.

Identifiers are validated before they reach a URL: a CIK is ten digits, an accession `##########-YY-######`,
a document a plain file name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import requests
import tenacity

from orchestration.sources.errors import SecDataError, SecPayloadError

DATA_HOST = "https://data.sec.gov"
ARCHIVES_HOST = "https://www.sec.gov"
MAX_REQUESTS_PER_SECOND = 10
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TIMEOUT_SECONDS = 30

# ASCII digits only, and \Z rather than $ (which also matches before a trailing newline).
CIK_PATTERN = re.compile(r"^[0-9]{10}\Z")
ACCESSION_PATTERN = re.compile(r"^[0-9]{10}-[0-9]{2}-[0-9]{6}\Z")
DOCUMENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")
USER_AGENT_PATTERN = re.compile(r"\S+.*\s+\S+@\S+\.\S+")  # "Company Name contact@example.com"


def normalize_cik(cik: str | int) -> str:
    """Ten digits, zero-padded; anything else is rejected before it reaches a URL or a query."""
    text = str(cik).strip()
    if text.isdigit() and len(text) <= 10:
        text = text.zfill(10)
    if not CIK_PATTERN.match(text):
        raise SecDataError(f"invalid CIK {cik!r}: expected up to ten digits")
    return text


def check_accession(accession: str) -> str:
    if not ACCESSION_PATTERN.match(accession or ""):
        raise SecDataError(f"invalid accession number {accession!r}: expected ##########-YY-######")
    return accession


def check_document(document: str) -> str:
    if not DOCUMENT_PATTERN.match(document or "") or ".." in document:
        raise SecDataError(f"invalid document name {document!r}: expected a plain file name")
    return document


def check_user_agent(user_agent: str | None) -> str:
    """SEC rejects anonymous clients (403): require 'Company Name contact@example.com'.

    The error never repeats the value: it is a contact address, and errors end up in logs.
    """
    value = (user_agent or "").strip()
    if not USER_AGENT_PATTERN.match(value):
        problem = "it is empty" if not value else "it lacks a company name or a contact email"
        raise SecDataError(
            "SEC_USER_AGENT must be set for live SEC access, as 'Company Name contact@example.com' "
            f"(SEC blocks requests without one); {problem}"
        )
    return value


def submissions_url(cik: str) -> str:
    return f"{DATA_HOST}/submissions/CIK{normalize_cik(cik)}.json"


def submissions_page_url(name: str) -> str:
    return f"{DATA_HOST}/submissions/{check_document(name)}"


def company_facts_url(cik: str) -> str:
    return f"{DATA_HOST}/api/xbrl/companyfacts/CIK{normalize_cik(cik)}.json"


def document_url(cik: str, accession: str, document: str) -> str:
    folder = check_accession(accession).replace("-", "")
    return f"{ARCHIVES_HOST}/Archives/edgar/data/{int(normalize_cik(cik))}/{folder}/{check_document(document)}"


class RetryableHttpError(Exception):
    """A 429 or 5xx answer: worth another try after a pause."""


@dataclass
class EdgarClient:
    """Fetches EDGAR resources through `session`; errors name the CIK, the accession and the URL."""

    session: requests.Session
    attempts: int = 5
    max_wait_seconds: float = 8.0

    def get(self, url: str, what: str) -> bytes:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((RetryableHttpError, requests.Timeout, requests.ConnectionError)),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=0.5, max=self.max_wait_seconds),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = self.session.get(url, timeout=TIMEOUT_SECONDS)
                    if response.status_code in RETRY_STATUSES:
                        raise RetryableHttpError(f"HTTP {response.status_code}")
        except (RetryableHttpError, requests.RequestException) as error:
            raise SecDataError(f"{what}: {url} failed after {self.attempts} attempts: {error}") from error
        if response.status_code == 404:
            raise SecDataError(f"{what}: not found at {url} (HTTP 404)")
        if response.status_code != 200:
            raise SecDataError(f"{what}: {url} answered HTTP {response.status_code}")
        if not response.content:
            raise SecDataError(f"{what}: {url} returned an empty body")
        return response.content

    def get_json(self, url: str, what: str) -> tuple[dict, bytes]:
        """The parsed object and the body as received; a body that is not a JSON object raises SecPayloadError
        carrying it, so the caller can keep it."""
        body = self.get(url, what)
        try:
            parsed = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise SecPayloadError(f"{what}: malformed JSON from {url}: {error}", body=body) from error
        if not isinstance(parsed, dict):
            raise SecPayloadError(f"{what}: expected a JSON object from {url}, got {type(parsed).__name__}", body=body)
        return parsed, body

    def submissions(self, cik: str) -> tuple[dict, bytes]:
        return self.get_json(submissions_url(cik), f"CIK {normalize_cik(cik)} submissions")

    def submissions_page(self, cik: str, name: str) -> tuple[dict, bytes]:
        return self.get_json(submissions_page_url(name), f"CIK {normalize_cik(cik)} submissions page {name}")

    def company_facts(self, cik: str) -> tuple[dict, bytes]:
        return self.get_json(company_facts_url(cik), f"CIK {normalize_cik(cik)} companyfacts")

    def document(self, cik: str, accession: str, document: str) -> bytes:
        what = f"CIK {normalize_cik(cik)} accession {accession} document {document}"
        return self.get(document_url(cik, accession, document), what)


def live_session(user_agent: str | None, cache_dir: Path) -> requests.Session:
    """A cached, rate-limited session for live EDGAR (cache hits do not count against the limit)."""
    from requests_cache import CacheMixin
    from requests_ratelimiter import LimiterMixin

    class CachedLimiterSession(CacheMixin, LimiterMixin, requests.Session):
        pass

    user_agent = check_user_agent(user_agent)  # before the cache file is created
    cache_dir.mkdir(parents=True, exist_ok=True)
    session = CachedLimiterSession(
        cache_name=str(cache_dir / "edgar_http_cache"),
        backend="sqlite",
        cache_control=True,  # follow SEC's Cache-Control and revalidate with ETag/Last-Modified
        expire_after=3600,  # submissions change during the day; filings never change once filed
        allowable_codes=(200,),
        per_second=MAX_REQUESTS_PER_SECOND,
    )
    session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})
    return session
