"""Rows of raw.sec_filings from a submissions JSON (`filings.recent` holds parallel arrays, newest first)."""

from __future__ import annotations

from datetime import date, datetime

from orchestration.sources.errors import SecDataError
from orchestration.sources.sec.edgar import ACCESSION_PATTERN

COLUMNS = {
    "accessionNumber": "accession_number",
    "form": "form",
    "filingDate": "filing_date",
    "reportDate": "report_date",
    "acceptanceDateTime": "acceptance_datetime",
    "primaryDocument": "primary_document",
    "primaryDocDescription": "primary_doc_description",
    "items": "items",
    "isXBRL": "is_xbrl",
    "isInlineXBRL": "is_inline_xbrl",
}
REQUIRED = ("accessionNumber", "form", "filingDate", "primaryDocument")
TEXT = {"form": True, "primaryDocument": True, "primaryDocDescription": False, "items": False}  # key: required
FLAGS = ("isXBRL", "isInlineXBRL")  # 0 or 1


def _date(value: object, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise SecDataError(f"{where}: not a date: {value!r}") from error


def _timestamp(value: object, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError as error:
        raise SecDataError(f"{where}: not a timestamp: {value!r}") from error


def parse_submissions(body: dict, cik: str, origin: str) -> list[dict]:
    """One dict per filing; a malformed body raises naming the CIK and the URL/file, nothing half-parsed."""
    where = f"CIK {cik} submissions ({origin})"
    recent = (body.get("filings") or {}).get("recent") if isinstance(body.get("filings"), dict) else None
    if not isinstance(recent, dict):
        raise SecDataError(f"{where}: no filings.recent object")
    missing = [key for key in REQUIRED if not isinstance(recent.get(key), list)]
    if missing:
        raise SecDataError(f"{where}: filings.recent lacks {', '.join(missing)}")
    count = len(recent["accessionNumber"])
    uneven = [k for k in COLUMNS if isinstance(recent.get(k), list) and len(recent[k]) != count]
    if uneven:
        raise SecDataError(f"{where}: arrays of unequal length: {', '.join(uneven)} vs accessionNumber ({count})")
    if str(body.get("cik", cik)).lstrip("0") != cik.lstrip("0"):
        raise SecDataError(f"{where}: body is for CIK {body.get('cik')!r}, not {cik}")

    rows = []
    for i in range(count):
        row = {column: (recent.get(key) or [None] * count)[i] for key, column in COLUMNS.items()}
        accession = str(row["accession_number"] or "")
        item = f"{where} accession {accession}"
        if not ACCESSION_PATTERN.match(accession):
            raise SecDataError(f"{where}: malformed accession number {accession!r} at position {i}")
        for key, required in TEXT.items():
            value = row[COLUMNS[key]]
            if not (isinstance(value, str) or (value is None and not required)):
                raise SecDataError(f"{item}: {key} {value!r} is not a string")
        for key in FLAGS:
            value = row[COLUMNS[key]]
            if value is not None and not isinstance(value, int):  # bool is an int
                raise SecDataError(f"{item}: {key} {value!r} is not a number (0 or 1)")
        row["filing_date"] = _date(row["filing_date"], item)
        if row["filing_date"] is None:
            raise SecDataError(f"{item}: no filing date")
        row["report_date"] = _date(row["report_date"], item)
        row["acceptance_datetime"] = _timestamp(row["acceptance_datetime"], item)
        row["is_xbrl"] = bool(row["is_xbrl"]) if row["is_xbrl"] is not None else None
        row["is_inline_xbrl"] = bool(row["is_inline_xbrl"]) if row["is_inline_xbrl"] is not None else None
        row["items"] = row["items"] or None
        row["cik"] = cik
        rows.append(row)
    return rows


def distinct_filings(rows: list[dict], where: str) -> tuple[list[dict], list[str], list[tuple[dict, str]]]:
    """Each accession once: the rows kept, the notes on repeats, and the conflicting repeats with why.

    EDGAR may list one accession twice (in `filings.recent` and on an older page, or twice in one array). A
    repeat identical to the first listing is the same filing: dropped, with a note naming both positions. A
    repeat that differs (another form, date or document) is not the same filing: the first listing loads, the
    later one is returned as a conflict, to be recorded as its own load error. Positions count from 0, the
    newest listing of `filings.recent`, through the older pages in order.
    """
    kept: list[dict] = []
    notes: list[str] = []
    conflicts: list[tuple[dict, str]] = []
    first: dict[str, tuple[int, dict]] = {}
    for position, row in enumerate(rows):
        accession = row["accession_number"]
        if accession not in first:
            first[accession] = (position, row)
            kept.append(row)
            continue
        earlier_position, earlier = first[accession]
        listed = f"{where}: accession {accession} is listed twice (positions {earlier_position} and {position})"
        differences = [f"{key} {earlier[key]!r} vs {row.get(key)!r}" for key in earlier if earlier[key] != row.get(key)]
        if differences:
            why = f"{listed}, differently ({'; '.join(differences)}): the listing at position {position} is not loaded"
            conflicts.append((row, why))
        else:
            notes.append(f"{listed}, identically: loaded once")
    return kept, notes, conflicts
