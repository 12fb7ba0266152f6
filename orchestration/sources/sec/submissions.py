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
