"""One filing loads once: a document saved under two names, EDGAR listing an accession twice, and two different
documents or listings claiming one accession (the later one is a named load error)."""

import gzip
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.defs.sec import warehouse_io
from orchestration.defs.sec.assets import _files_filings
from orchestration.sources.sec.source import SEC_SNAPSHOT_DIR, Company, FilesSource
from orchestration.sources.sec.submissions import distinct_filings, parse_submissions

CLSK = Company("CLSK", "0000827876")
# two of CleanSpark's synthetic 10-Qs in the bundled snapshot (each with a dated cover)
Q2 = SEC_SNAPSHOT_DIR / "archives" / "827876" / "000082787626000020" / "clsk-20260630.htm.gz"


def snapshot_10q(path: Path = Q2) -> bytes:
    return gzip.decompress(path.read_bytes())


def other_10q() -> bytes:
    """Another CleanSpark 10-Q of the snapshot (other content), with a dated cover."""
    for path in sorted((SEC_SNAPSHOT_DIR / "archives" / "827876").glob("*/*.gz"), reverse=True):
        body = gzip.decompress(path.read_bytes())
        if path != Q2 and b"EntityCommonStockSharesOutstanding" in body and b"10-Q" in body:
            return body
    raise AssertionError("no second 10-Q with a cover in the snapshot")


def test_one_document_saved_under_two_names_is_read_once_with_a_note_naming_both(tmp_path: Path):
    body = snapshot_10q()
    (tmp_path / "clsk_10-Q-2026-06-30.htm").write_bytes(body)
    (tmp_path / "clsk_10-Q-2026-06-30 (copy).htm").write_bytes(body)
    source = FilesSource(tmp_path)

    first, copy = source.documents()
    assert first.path.name == "clsk_10-Q-2026-06-30 (copy).htm"  # file-name order: " (" sorts before "."
    assert copy.copy_of is first and first.copy_of is None
    assert copy.accession == first.accession and copy.accession.startswith("local-")
    assert source.filings() == [first]
    note = copy.skip_reason({CLSK.cik})
    assert note == copy.copy_note()
    assert "clsk_10-Q-2026-06-30 (copy).htm" in note and "clsk_10-Q-2026-06-30.htm" in note
    assert "identical content" in note and f"accession {first.accession}" in note
    rows = _files_filings(source, CLSK)
    assert [row["primary_document"] for row in rows] == [first.path.name]
    # the copy can still be fetched under its own name (a filings row stored by an earlier run may name it)
    assert source.document(CLSK, copy.accession, copy.path.name).body == body


def test_the_same_accession_in_two_file_names_with_the_same_content_is_one_filing(tmp_path: Path):
    body = snapshot_10q()
    (tmp_path / "0000827876-26-000020.htm").write_bytes(body)
    (tmp_path / "0000827876-26-000020 (1).htm").write_bytes(body)
    source = FilesSource(tmp_path)
    assert [d.path.name for d in source.filings()] == ["0000827876-26-000020 (1).htm"]
    assert [d.accession for d in source.documents()] == ["0000827876-26-000020"] * 2


def test_two_different_documents_claiming_one_accession_the_later_is_a_named_load_error(tmp_path: Path):
    (tmp_path / "0000827876-26-000020.htm").write_bytes(snapshot_10q())
    (tmp_path / "0000827876-26-000020-other.htm").write_bytes(other_10q())
    source = FilesSource(tmp_path)
    holder, later = source.documents()
    assert holder.path.name == "0000827876-26-000020-other.htm"  # "-" sorts before "."
    assert holder.error is None and holder.copy_of is None and later.copy_of is None
    assert later.cik == CLSK.cik  # read: the error can name its company
    assert later.error is not None
    for name in ("0000827876-26-000020.htm", "0000827876-26-000020-other.htm", "accession 0000827876-26-000020"):
        assert name in later.error
    assert "different document" in later.error
    assert later.skip_reason({CLSK.cik}) == later.error
    assert [row["primary_document"] for row in _files_filings(source, CLSK)] == [holder.path.name]


def test_an_unreadable_document_does_not_hold_an_accession(tmp_path: Path):
    body = snapshot_10q()
    (tmp_path / "0000827876-26-000020 (partial).htm").write_bytes(body[: len(body) // 2])
    (tmp_path / "0000827876-26-000020.htm").write_bytes(body)
    source = FilesSource(tmp_path)
    partial, whole = source.documents()
    assert partial.error and "different document" not in partial.error
    assert whole.error is None and source.filings() == [whole]


# --- EDGAR: one accession listed twice in the submissions index ----------------------------------------------


def submissions(*filings: tuple[str, str, str, str]) -> dict:
    """A submissions body listing (accession, form, filing date, primary document), newest first."""
    return {
        "cik": CLSK.cik,
        "filings": {
            "recent": {
                "accessionNumber": [f[0] for f in filings],
                "form": [f[1] for f in filings],
                "filingDate": [f[2] for f in filings],
                "reportDate": ["2024-03-31"] * len(filings),
                "primaryDocument": [f[3] for f in filings],
            }
        },
    }


WHERE = "CIK 0000827876 submissions"


def test_an_accession_listed_twice_identically_loads_once_with_a_note_naming_both_listings():
    body = submissions(
        ("0000827876-24-000012", "10-Q", "2024-05-09", "clsk-20240331.htm"),
        ("0000827876-24-000010", "8-K", "2024-05-01", "clsk-8k.htm"),
        ("0000827876-24-000012", "10-Q", "2024-05-09", "clsk-20240331.htm"),
    )
    rows, notes, conflicts = distinct_filings(parse_submissions(body, CLSK.cik, "submissions.json"), WHERE)
    assert [r["accession_number"] for r in rows] == ["0000827876-24-000012", "0000827876-24-000010"]
    assert conflicts == []
    assert notes == [
        f"{WHERE}: accession 0000827876-24-000012 is listed twice (positions 0 and 2), identically: loaded once"
    ]


def test_an_accession_listed_twice_with_another_document_is_a_load_error_for_the_later_listing():
    body = submissions(
        ("0000827876-24-000012", "10-Q", "2024-05-09", "clsk-20240331.htm"),
        ("0000827876-24-000012", "10-Q/A", "2024-05-20", "clsk-20240331a.htm"),
    )
    rows, notes, [(row, why)] = distinct_filings(parse_submissions(body, CLSK.cik, "submissions.json"), WHERE)
    assert [r["primary_document"] for r in rows] == ["clsk-20240331.htm"] and notes == []
    assert row["primary_document"] == "clsk-20240331a.htm"
    assert why.startswith(f"{WHERE}: accession 0000827876-24-000012 is listed twice (positions 0 and 1), differently")
    assert "form '10-Q' vs '10-Q/A'" in why and "'clsk-20240331.htm' vs 'clsk-20240331a.htm'" in why
    assert why.endswith("the listing at position 1 is not loaded")


def test_a_warehouse_holding_an_accession_twice_is_brought_back_to_one_row():
    """Written before this rule (a folder with one document under two names): the next load repairs it."""
    with duckdb.connect() as connection:
        warehouse_io.ensure_tables(connection)
        row = {
            "cik": CLSK.cik,
            "ticker": "CLSK",
            "accession_number": "local-0123456789abcdef",
            "form": "10-Q",
            "primary_document": "a.htm",
            "source": "files",
            "is_synthetic": False,
            "loaded_at": pd.Timestamp("2026-01-01"),
            "run_id": "r0",
        }
        twice = pd.DataFrame([row, {**row, "primary_document": "b.htm"}])
        connection.register("twice", twice)
        connection.execute("insert into raw.sec_filings by name select * from twice")
        added = warehouse_io.add_filings(connection, CLSK.cik, pd.DataFrame([row]))
        assert added == 0
        stored = connection.execute("select accession_number, primary_document from raw.sec_filings").fetchall()
        assert stored == [("local-0123456789abcdef", "a.htm")]
