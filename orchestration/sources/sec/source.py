"""Where SEC disclosures come from (MINERS_SEC_SOURCE): `snapshot`, `live` or a `files` folder.

`snapshot` and `live` share the EDGAR client and only differ in transport (replay adapter vs. a cached,
rate-limited session). `files` reads local filing documents (inline XBRL `.htm`/`.html` or instance
`.xml`), e.g. filings an analyst downloaded: it has no submissions or companyfacts, so its filing list
comes from each document's cover page (dei) facts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.paths import SNAPSHOT_DIR
from orchestration.settings import setting
from orchestration.sources.errors import SecDataError, SecPayloadError
from orchestration.sources.sec.edgar import EdgarClient, check_accession, live_session, normalize_cik
from orchestration.sources.sec.edgar_replay import replay_session

SEC_SNAPSHOT_DIR = SNAPSHOT_DIR / "sec"
SOURCES = ("snapshot", "live", "files")

# Forms whose primary document carries the financial statements in XBRL.
FINANCIAL_FORMS = frozenset(
    {"10-Q", "10-Q/A", "10-K", "10-K/A", "10-KT", "10-KT/A", "20-F", "20-F/A", "40-F", "40-F/A"}
)
LOCAL_ACCESSION = re.compile(r"^local-[0-9a-f]{16}$")
DOCUMENT_SUFFIXES = (".htm", ".html", ".xhtml", ".xml")


@dataclass(frozen=True)
class Company:
    ticker: str
    cik: str  # ten digits


@dataclass(frozen=True)
class Fetched:
    """A response body and where it came from (for errors and for the raw payload on disk)."""

    body: bytes
    origin: str


def resolve_sec_source(sec_source: str | None, market_source: str | None) -> str:
    """MINERS_SEC_SOURCE wins; when it is unset, a live market source makes SEC live too."""
    chosen = (sec_source or "").strip().lower()
    if not chosen:
        chosen = "live" if (market_source or "").strip().lower() == "live" else "snapshot"
    if chosen not in SOURCES:
        raise SecDataError(f"MINERS_SEC_SOURCE={chosen!r} is not one of {', '.join(SOURCES)}")
    return chosen


class EdgarSource:
    """EDGAR over HTTP: live, or replayed from the bundled snapshot."""

    def __init__(self, name: str, client: EdgarClient, is_synthetic: bool) -> None:
        self.name = name
        self.client = client
        self.is_synthetic = is_synthetic

    @staticmethod
    def _json(fetch: Callable[[], tuple[dict, bytes]], origin: str, earlier: list[Fetched]) -> tuple[dict, Fetched]:
        """One JSON response named `origin`; if the client rejects it, the error carries it and `earlier` (the
        item's responses that arrived before it) so the asset can keep them all."""
        try:
            body, raw = fetch()
        except SecPayloadError as error:
            error.received = [*earlier, Fetched(error.body, origin)]
            raise
        return body, Fetched(raw, origin)

    def submissions(self, company: Company) -> tuple[dict, list[Fetched]]:
        """The submissions JSON, with the older pages listed under `filings.files` merged into `recent`."""
        body, first = self._json(lambda: self.client.submissions(company.cik), f"submissions/CIK{company.cik}.json", [])
        fetched = [first]
        filings = body.get("filings")
        if not isinstance(filings, dict) or not isinstance(filings.get("recent"), dict):
            return body, fetched  # parse_submissions reports the missing filings.recent object
        pages = filings.get("files") or []
        where = f"CIK {company.cik} submissions ({first.origin})"
        if not isinstance(pages, list):
            raise SecPayloadError(f"{where}: filings.files is {pages!r}, not a list of pages", received=fetched)
        for page in pages:
            if not isinstance(page, dict) or not isinstance(page.get("name"), str):
                problem = f"{where}: filings.files holds {page!r}, not a page with a name"
                raise SecPayloadError(problem, received=fetched)
            if str(page.get("filingTo", "9999")) < setting("MINERS_HISTORY_START"):
                continue  # older than the history the product covers
            name = page["name"]
            try:
                extra, extra_fetched = self._json(
                    lambda name=name: self.client.submissions_page(company.cik, name), f"submissions/{name}", fetched
                )
            except SecPayloadError:
                raise
            except SecDataError as error:  # e.g. the page is not found: the pages that did arrive are still kept
                raise SecPayloadError(str(error), received=fetched) from error
            fetched.append(extra_fetched)
            page_where = f"CIK {company.cik} submissions page ({extra_fetched.origin})"
            _append_page(filings["recent"], extra, page_where, fetched)
        return body, fetched

    def company_facts(self, company: Company) -> tuple[dict, Fetched]:
        return self._json(lambda: self.client.company_facts(company.cik), f"companyfacts/CIK{company.cik}.json", [])

    def document(self, company: Company, accession: str, document: str) -> Fetched:
        body = self.client.document(company.cik, check_accession(accession), document)
        return Fetched(body, f"archives/{int(company.cik)}/{accession.replace('-', '')}/{document}")


def _append_page(recent: dict, page: dict, where: str, fetched: list[Fetched]) -> None:
    """Add an older page's filings (the same parallel arrays as `filings.recent`, at the top level) to `recent`.

    A column the page lacks is padded with nulls so the arrays stay parallel; a page whose own arrays are
    uneven is rejected naming the page.
    """
    count = len(page["accessionNumber"]) if isinstance(page.get("accessionNumber"), list) else None
    if count is None:
        raise SecPayloadError(f"{where}: no accessionNumber array", received=fetched)
    uneven = sorted(k for k, v in page.items() if isinstance(v, list) and len(v) != count)
    if uneven:
        problem = f"{where}: arrays of unequal length: {', '.join(uneven)} vs accessionNumber ({count})"
        raise SecPayloadError(problem, received=fetched)
    for key, values in recent.items():
        if isinstance(values, list):
            extra = page.get(key)
            recent[key] = values + (extra if isinstance(extra, list) else [None] * count)


@dataclass
class LocalDocument:
    path: Path
    accession: str
    digest: str = ""  # sha256 of the content
    cik: str | None = None
    form: str | None = None
    period_end: date | None = None
    error: str | None = None
    copy_of: LocalDocument | None = None  # the same content under an earlier name: loaded once, as that one

    def skip_reason(self, universe: Collection[str]) -> str | None:
        """Why this document is not loaded (naming the file), or None when it is read and its company is in
        `universe` (ten-digit CIKs). An unreadable document's reason is its error; it is also a load error."""
        if self.error:
            return self.error
        if self.copy_of is not None:
            return self.copy_note()
        if self.cik not in universe:
            filing = f" ({self.form or 'filing'} for the period ended {self.period_end})" if self.period_end else ""
            return f"document {self.path.name}: CIK {self.cik}{filing} is not in the universe (miners seed)"
        return None

    def copy_note(self) -> str:
        """The note on a copy, naming both files (empty for a document that is not a copy)."""
        original = self.copy_of
        if original is None:
            return ""
        return (
            f"documents {original.path.name} and {self.path.name} are the same document (identical content, "
            f"sha256 {self.digest[:16]}): read once, as {original.path.name} (accession {original.accession})"
        )


@dataclass
class FilesSource:
    """Local filing documents in one folder; each document is one filing.

    A folder is read in file-name order. A document saved twice (identical content under two names) is loaded
    once, under the first name, with a note naming both. Two different documents claiming one accession (in
    their file names) cannot both be that filing: the first loads, the later one is its own load error.
    """

    folder: Path
    name: str = "files"
    is_synthetic: bool = False
    _documents: list[LocalDocument] | None = field(default=None, repr=False)

    @staticmethod
    def local_accession(path: Path, content: bytes) -> str:
        """The accession in the file name when there is one (as EDGAR names full submissions), else a hash."""
        match = re.search(r"(\d{10})-?(\d{2})-?(\d{6})", path.name)
        if match:
            return "-".join(match.groups())
        return f"local-{hashlib.sha256(content).hexdigest()[:16]}"

    def documents(self) -> list[LocalDocument]:
        """Every document in the folder with its cover-page facts (or the error that stopped reading it), and
        whether it is a copy of an earlier one."""
        if self._documents is None:
            from orchestration.sources.sec.xbrl import parse_filing

            if not self.folder.is_dir():
                raise SecDataError(f"MINERS_SEC_FILES_DIR {self.folder} is not a folder")
            documents: list[LocalDocument] = []
            by_digest: dict[str, LocalDocument] = {}
            by_accession: dict[str, LocalDocument] = {}  # the readable document that holds each accession
            for path in sorted(self.folder.iterdir()):
                if not path.is_file() or path.suffix.lower() not in DOCUMENT_SUFFIXES:
                    continue
                content = path.read_bytes()
                digest = hashlib.sha256(content).hexdigest()
                document = LocalDocument(path=path, accession=self.local_accession(path, content), digest=digest)
                documents.append(document)
                if digest in by_digest:  # the same bytes: read once, under the first name
                    document.copy_of = by_digest[digest]
                    continue
                by_digest[digest] = document
                try:
                    facts = parse_filing(content, path.name)
                    document.cik = facts.cik
                    document.form = facts.document_type
                    document.period_end = facts.period_end_date
                except SecDataError as error:
                    document.error = str(error)
                    continue
                holder = by_accession.setdefault(document.accession, document)
                if holder is not document:
                    document.error = (
                        f"document {path.name}: its name says accession {document.accession}, which "
                        f"{holder.path.name}, a different document (other content), already holds: not loaded; "
                        "keep one of them, or rename the other without the accession"
                    )
            self._documents = documents
        return self._documents

    def filings(self) -> list[LocalDocument]:
        """The documents that load: read, and not a copy of an earlier one."""
        return [doc for doc in self.documents() if doc.error is None and doc.copy_of is None]

    def document(self, company: Company, accession: str, document: str) -> Fetched:
        for item in self.documents():
            if item.accession == accession and item.path.name == document:
                return Fetched(item.path.read_bytes(), str(item.path))
        raise SecDataError(f"CIK {company.cik} accession {accession} document {document}: not in {self.folder}")


SecSource = EdgarSource | FilesSource


def build_sec_source(name: str, user_agent: str | None, files_dir: str | None, cache_dir: Path) -> SecSource:
    if name == "snapshot":
        return EdgarSource("snapshot", EdgarClient(replay_session(SEC_SNAPSHOT_DIR)), is_synthetic=True)
    if name == "live":
        return EdgarSource("live", EdgarClient(live_session(user_agent, cache_dir)), is_synthetic=False)
    if name == "files":
        if not files_dir:
            raise SecDataError("MINERS_SEC_SOURCE=files needs MINERS_SEC_FILES_DIR, a folder of filing documents")
        return FilesSource(Path(files_dir).expanduser())
    raise SecDataError(f"unknown SEC source {name!r}: expected one of {', '.join(SOURCES)}")


def companies_by_cik(companies: list[Company]) -> dict[str, Company]:
    return {normalize_cik(c.cik): c for c in companies}
