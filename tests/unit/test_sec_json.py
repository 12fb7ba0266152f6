"""Submissions and companyfacts JSON into raw rows: typed values, and errors that name the CIK and the origin."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal

import pytest

from orchestration.sources.errors import SecDataError
from orchestration.sources.sec.companyfacts import parse_company_facts
from orchestration.sources.sec.submissions import parse_submissions

CIK = "0000827876"
ORIGIN = "https://data.sec.gov/submissions/CIK0000827876.json"
FACTS_ORIGIN = "companyfacts/CIK0000827876.json"


def submissions_body() -> dict:
    """Shaped like EDGAR's submissions JSON: `filings.recent` holds parallel arrays, newest first."""
    return {
        "cik": "827876",
        "entityType": "operating",
        "name": "CLEANSPARK, INC.",
        "tickers": ["CLSK"],
        "filings": {
            "recent": {
                "accessionNumber": ["0000827876-24-000123", "0000827876-24-000101", "0001493152-24-018922"],
                "filingDate": ["2024-05-09", "2024-05-02", "2024-05-06"],
                "reportDate": ["2024-03-31", "2024-05-01", ""],
                "acceptanceDateTime": ["2024-05-09T16:05:12.000Z", "2024-05-02T08:00:41.000Z", ""],
                "act": ["34", "34", ""],
                "form": ["10-Q", "8-K", "4"],
                "fileNumber": ["001-39187", "001-39187", ""],
                "items": ["", "2.02,9.01", ""],
                "size": [5_523_014, 301_223, 4_870],
                "isXBRL": [1, 1, 0],
                "isInlineXBRL": [1, 1, 0],
                "primaryDocument": ["clsk-20240331.htm", "ea0205421-8k_clean.htm", "xslF345X05/form4.xml"],
                "primaryDocDescription": ["10-Q", "FORM 8-K", "PRIMARY DOCUMENT"],
            },
            "files": [],
        },
    }


def test_submissions_rows_are_typed():
    rows = parse_submissions(submissions_body(), CIK, ORIGIN)
    assert len(rows) == 3
    quarterly, current, form4 = rows
    assert quarterly == {
        "cik": CIK,
        "accession_number": "0000827876-24-000123",
        "form": "10-Q",
        "filing_date": date(2024, 5, 9),
        "report_date": date(2024, 3, 31),
        "acceptance_datetime": datetime(2024, 5, 9, 16, 5, 12),
        "primary_document": "clsk-20240331.htm",
        "primary_doc_description": "10-Q",
        "items": None,
        "is_xbrl": True,
        "is_inline_xbrl": True,
    }
    assert quarterly["acceptance_datetime"].tzinfo is None  # UTC, stored naive
    assert current["items"] == "2.02,9.01"
    assert (form4["report_date"], form4["acceptance_datetime"], form4["is_xbrl"]) == (None, None, False)


def test_submissions_columns_missing_from_the_body_are_null():
    body = submissions_body()
    del body["filings"]["recent"]["isInlineXBRL"], body["filings"]["recent"]["items"]
    rows = parse_submissions(body, CIK, ORIGIN)
    assert [(row["is_inline_xbrl"], row["items"]) for row in rows] == [(None, None)] * 3


def test_submissions_body_may_have_no_filings_yet():
    body = submissions_body()
    body["filings"]["recent"] = {key: [] for key in body["filings"]["recent"]}
    assert parse_submissions(body, CIK, ORIGIN) == []


def _break(change) -> dict:
    body = copy.deepcopy(submissions_body())
    change(body)
    return body


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b: b.pop("filings"), r"no filings\.recent object"),
        (lambda b: b["filings"].pop("recent"), r"no filings\.recent object"),
        (lambda b: b.update(filings=["not", "an", "object"]), r"no filings\.recent object"),
        (lambda b: b["filings"].update(recent=[]), r"no filings\.recent object"),
        (lambda b: b["filings"]["recent"].pop("form"), r"filings\.recent lacks form"),
        (lambda b: b["filings"]["recent"]["form"].pop(), r"arrays of unequal length: form vs accessionNumber \(3\)"),
        (
            lambda b: b["filings"]["recent"]["isXBRL"].append(1),
            r"arrays of unequal length: isXBRL vs accessionNumber \(3\)",
        ),
        (
            lambda b: b["filings"]["recent"]["accessionNumber"].__setitem__(1, "12-34"),
            r"malformed accession number '12-34' at position 1",
        ),
        (
            lambda b: b["filings"]["recent"]["accessionNumber"].__setitem__(0, None),
            r"malformed accession number '' at position 0",
        ),
        (lambda b: b.update(cik="0001167419"), r"body is for CIK '0001167419', not 0000827876"),
        (
            lambda b: b["filings"]["recent"]["filingDate"].__setitem__(0, "2024-13-45"),
            r"accession 0000827876-24-000123: not a date: '2024-13-45'",
        ),
        (
            lambda b: b["filings"]["recent"]["reportDate"].__setitem__(1, "May 1, 2024"),
            r"accession 0000827876-24-000101: not a date: 'May 1, 2024'",
        ),
        (
            lambda b: b["filings"]["recent"]["filingDate"].__setitem__(2, ""),
            r"accession 0001493152-24-018922: no filing date",
        ),
        (
            lambda b: b["filings"]["recent"]["acceptanceDateTime"].__setitem__(0, "yesterday"),
            r"not a timestamp: 'yesterday'",
        ),
    ],
    ids=[
        "no-filings",
        "no-recent",
        "filings-not-object",
        "recent-not-object",
        "missing-form",
        "short-array",
        "long-array",
        "bad-accession",
        "null-accession",
        "other-cik",
        "bad-filing-date",
        "bad-report-date",
        "no-filing-date",
        "bad-acceptance",
    ],
)
def test_malformed_submissions_raise_naming_the_cik_and_origin(change, expected):
    with pytest.raises(SecDataError, match=expected) as error:
        parse_submissions(_break(change), CIK, ORIGIN)
    assert str(error.value).startswith(f"CIK {CIK} submissions ({ORIGIN})")


# --- companyfacts ---------------------------------------------------------------------------------------------


def usd(val, start, end, accn, fy=2024, fp="Q1", form="10-Q", filed="2024-05-09", frame=None) -> dict:
    entry = {"start": start, "end": end, "val": val, "accn": accn, "fy": fy, "fp": fp, "form": form, "filed": filed}
    if frame:
        entry["frame"] = frame
    return entry


Q1_10Q = "0000827876-24-000123"
FY_10K = "0000827876-23-000200"


def company_facts_body() -> dict:
    """Shaped like EDGAR's companyfacts JSON, with concepts the parser keeps and ones it drops."""
    return {
        "cik": 827876,
        "entityName": "CLEANSPARK, INC.",
        "facts": {
            "dei": {
                "EntityCommonStockSharesOutstanding": {
                    "label": "Entity Common Stock, Shares Outstanding",
                    "units": {
                        "shares": [
                            {
                                "end": "2024-05-03",
                                "val": 245_093_417,
                                "accn": Q1_10Q,
                                "fy": 2024,
                                "fp": "Q1",
                                "form": "10-Q",
                                "filed": "2024-05-09",
                                "frame": "CY2024Q2I",
                            }
                        ]
                    },
                },
                "EntityPublicFloat": {"units": {"USD": [usd(1e9, None, "2023-03-31", FY_10K)]}},
            },
            "us-gaap": {
                "Revenues": {
                    "units": {
                        "USD": [
                            usd(111_806_000, "2024-01-01", "2024-03-31", Q1_10Q, frame="CY2024Q1"),
                            # the prior-year comparative in the same 10-Q: the filing's fy/fp, its own period
                            usd(35_313_000, "2023-01-01", "2023-03-31", Q1_10Q),
                            # EDGAR repeats facts: an identical repeat collapses
                            usd(111_806_000, "2024-01-01", "2024-03-31", Q1_10Q, frame="CY2024Q1"),
                        ]
                    }
                },
                "RevenueFromContractWithCustomerExcludingAssessedTax": {
                    "units": {
                        "USD": [usd(168_408_000, "2022-10-01", "2023-09-30", FY_10K, fy=2023, fp="FY", form="10-K")]
                    }
                },
                "CostOfRevenue": {"units": {"USD": [usd(40_000_000, "2024-01-01", "2024-03-31", Q1_10Q)]}},
                "Assets": {"units": {"USD": [usd(2_500_000_000, None, "2024-03-31", Q1_10Q)]}},
            },
            "clsk": {
                "DigitalCurrencyMiningRevenues": {
                    "units": {"USD": [usd(111_005_000, "2024-01-01", "2024-03-31", Q1_10Q)]}
                },
            },
        },
    }


def _by_key(rows: list[dict]) -> dict[tuple, dict]:
    return {(row["concept"], row["period_start"], row["period_end"]): row for row in rows}


def test_company_facts_keep_revenue_and_shares_and_drop_the_rest():
    rows = parse_company_facts(company_facts_body(), CIK, FACTS_ORIGIN)
    concepts = sorted({row["concept"] for row in rows})
    assert concepts == [
        "clsk:DigitalCurrencyMiningRevenues",
        "dei:EntityCommonStockSharesOutstanding",
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        "us-gaap:Revenues",
    ]
    assert len(rows) == 5  # the identical repeat of the Q1 2024 revenue collapsed

    shares = _by_key(rows)[("dei:EntityCommonStockSharesOutstanding", None, date(2024, 5, 3))]
    assert shares == {
        "cik": CIK,
        "taxonomy": "dei",
        "concept": "dei:EntityCommonStockSharesOutstanding",
        "unit": "shares",
        "period_start": None,  # an instant
        "period_end": date(2024, 5, 3),
        "value": Decimal("245093417"),
        "accession_number": Q1_10Q,
        "fiscal_year": 2024,
        "fiscal_period": "Q1",
        "form": "10-Q",
        "filed": date(2024, 5, 9),
        "frame": "CY2024Q2I",
    }
    extension = _by_key(rows)[("clsk:DigitalCurrencyMiningRevenues", date(2024, 1, 1), date(2024, 3, 31))]
    assert (extension["taxonomy"], extension["unit"], extension["value"]) == ("clsk", "USD", Decimal("111005000"))


def test_company_fact_periods_come_from_start_and_end_not_fy_fp():
    rows = _by_key(parse_company_facts(company_facts_body(), CIK, FACTS_ORIGIN))
    current = rows[("us-gaap:Revenues", date(2024, 1, 1), date(2024, 3, 31))]
    comparative = rows[("us-gaap:Revenues", date(2023, 1, 1), date(2023, 3, 31))]
    assert (current["value"], current["frame"]) == (Decimal("111806000"), "CY2024Q1")
    # same filing, same fy/fp, but the prior-year quarter's own period and value
    assert (comparative["fiscal_year"], comparative["fiscal_period"], comparative["accession_number"]) == (
        2024,
        "Q1",
        Q1_10Q,
    )
    assert comparative["value"] == Decimal("35313000")
    annual = rows[("us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax", date(2022, 10, 1), date(2023, 9, 30))]
    assert (annual["fiscal_period"], annual["form"]) == ("FY", "10-K")


def test_conflicting_duplicate_facts_raise_naming_the_accession():
    body = company_facts_body()
    body["facts"]["us-gaap"]["Revenues"]["units"]["USD"].append(usd(111_900_000, "2024-01-01", "2024-03-31", Q1_10Q))
    with pytest.raises(
        SecDataError, match=r"conflicting values 111806000 and 111900000 for 2024-01-01\.\.2024-03-31"
    ) as error:
        parse_company_facts(body, CIK, FACTS_ORIGIN)
    assert str(error.value).startswith(f"CIK {CIK} companyfacts ({FACTS_ORIGIN}) us-gaap:Revenues accession {Q1_10Q}")


def test_the_same_period_in_two_filings_is_two_rows():
    body = company_facts_body()
    body["facts"]["us-gaap"]["Revenues"]["units"]["USD"].append(
        usd(111_900_000, "2024-01-01", "2024-03-31", "0000827876-25-000050", fy=2025, form="10-Q")
    )
    rows = parse_company_facts(body, CIK, FACTS_ORIGIN)
    q1 = [r for r in rows if (r["concept"], r["period_end"]) == ("us-gaap:Revenues", date(2024, 3, 31))]
    assert sorted(r["value"] for r in q1) == [Decimal("111806000"), Decimal("111900000")]


@pytest.mark.parametrize("val", ["12x", None, "", True, "NaN", "Infinity", float("nan")], ids=repr)
def test_a_non_numeric_value_raises(val):
    body = company_facts_body()
    body["facts"]["clsk"]["DigitalCurrencyMiningRevenues"]["units"]["USD"][0]["val"] = val
    with pytest.raises(SecDataError, match=r"missing or non-numeric val") as error:
        parse_company_facts(body, CIK, FACTS_ORIGIN)
    assert f"CIK {CIK} companyfacts ({FACTS_ORIGIN}) clsk:DigitalCurrencyMiningRevenues accession {Q1_10Q}" in str(
        error.value
    )


@pytest.mark.parametrize("val", [1e34, -1e34, "1E+40", 10**40], ids=repr)
def test_a_value_too_large_to_store_raises_naming_it(val):
    body = company_facts_body()
    body["facts"]["clsk"]["DigitalCurrencyMiningRevenues"]["units"]["USD"][0]["val"] = val
    with pytest.raises(SecDataError, match=r"out of range: amounts must be below 1e34") as error:
        parse_company_facts(body, CIK, FACTS_ORIGIN)
    assert (
        f"CIK {CIK} companyfacts ({FACTS_ORIGIN}) clsk:DigitalCurrencyMiningRevenues accession {Q1_10Q}: val {val!r}"
        in str(error.value)
    )


@pytest.mark.parametrize("fy", [10**12, 24, "2024"], ids=repr)
def test_a_fiscal_year_that_is_not_a_year_raises(fy):
    body = company_facts_body()
    body["facts"]["clsk"]["DigitalCurrencyMiningRevenues"]["units"]["USD"][0]["fy"] = fy
    with pytest.raises(SecDataError, match=rf"fy {fy!r} is not a year"):
        parse_company_facts(body, CIK, FACTS_ORIGIN)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b: b.pop("facts"), r"no facts object"),
        (lambda b: b.update(cik=1167419), r"body is for CIK 1167419, not 0000827876"),
        (lambda b: b["facts"].update({"us-gaap": []}), r"taxonomy 'us-gaap' is not an object"),
        (lambda b: b["facts"]["us-gaap"]["Revenues"].pop("units"), r"us-gaap:Revenues has no units"),
        (
            lambda b: b["facts"]["us-gaap"]["Revenues"]["units"]["USD"][1].pop("end"),
            r"us-gaap:Revenues accession 0000827876-24-000123: no end date",
        ),
        (
            lambda b: b["facts"]["us-gaap"]["Revenues"]["units"]["USD"][1].update(start="2023/01/01"),
            r"us-gaap:Revenues accession 0000827876-24-000123: not a date: '2023/01/01'",
        ),
    ],
    ids=["no-facts", "other-cik", "taxonomy-not-object", "no-units", "no-end", "bad-start"],
)
def test_malformed_company_facts_raise_naming_the_cik_and_origin(change, expected):
    body = company_facts_body()
    change(body)
    with pytest.raises(SecDataError, match=expected) as error:
        parse_company_facts(body, CIK, FACTS_ORIGIN)
    assert str(error.value).startswith(f"CIK {CIK} companyfacts ({FACTS_ORIGIN})")
