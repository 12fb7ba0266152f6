"""The lxml reader of a filing's revenue facts, on HANDCRAFTED filings (tests/fixtures/sec) and small generated ones."""

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.cli import main
from orchestration.settings import SETTING_DEFAULTS
from orchestration.sources.errors import SecDataError
from orchestration.sources.sec.xbrl import (
    FilingFacts,
    NumericFact,
    fits_amount_column,
    parse_file,
    parse_filing,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sec"
ACME_10Q = FIXTURES / "acme_10-Q-2024-09-30.htm"
NORDHASH_20F = FIXTURES / "nordhash_20-F-2024-06-30.htm"
ACME_10K_XML = FIXTURES / "acme_10-K-2023-12-31.xml"

Q3 = (date(2024, 7, 1), date(2024, 9, 30))
PRODUCT = "srt:ProductOrServiceAxis"
ACCESSION = "0001234567-24-000042"


def facts_by_id(filing: FilingFacts) -> dict[str, NumericFact]:
    return {f.fact_id: f for f in filing.facts if f.fact_id}


def find(filing: FilingFacts, concept: str, start: date | None, end: date, dims=()) -> list[NumericFact]:
    return [
        f
        for f in filing.facts
        if (f.concept, f.period_start, f.period_end, f.dimensions) == (concept, start, end, tuple(dims))
    ]


# -- a minimal inline XBRL document for one-fact tests -------------------------------------------------------

INLINE_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
      xmlns:ixt="http://www.xbrl.org/inlineXBRL/transformation/2022-02-16"
      xmlns:ixt3="http://www.xbrl.org/inlineXBRL/transformation/2015-02-26"
      xmlns:ixt-sec="http://www.sec.gov/inlineXBRL/transformation/2015-08-31"
      xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xbrldi="http://xbrl.org/2006/xbrldi"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:iso4217="http://www.xbrl.org/2003/iso4217"
      xmlns:dei="http://xbrl.sec.gov/dei/2024" xmlns:us-gaap="http://fasb.org/us-gaap/2024"
      xmlns:srt="http://fasb.org/srt/2024" xmlns:acme="http://acmehashing.example/20240331">
<body><div style="display:none"><ix:header><ix:resources>
  <xbrli:context id="q1"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0001234567</xbrli:identifier>
    </xbrli:entity><xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate><xbrli:endDate>2024-03-31</xbrli:endDate>
    </xbrli:period></xbrli:context>
  {contexts}
  <xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
</ix:resources></ix:header></div>
<p>{body}</p>
</body></html>
"""


def inline_doc(body: str, contexts: str = "") -> bytes:
    return INLINE_TEMPLATE.format(body=body, contexts=contexts).encode()


def revenue(
    text: str, *, fmt: str | None = "ixt:num-dot-decimal", attrs: str = "", fact_id: str = "r1", decimals: str = "0"
) -> str:
    format_attr = f' format="{fmt}"' if fmt else ""
    return (
        f'<ix:nonFraction id="{fact_id}" name="us-gaap:Revenues" contextRef="q1" unitRef="usd" decimals="{decimals}"'
        f"{format_attr} {attrs}>{text}</ix:nonFraction>"
    )


def one_value(body: str) -> Decimal | None:
    (fact,) = parse_filing(inline_doc(body), "one.htm").facts
    return fact.value


# -- the handcrafted inline 10-Q -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acme() -> FilingFacts:
    return parse_file(ACME_10Q)


def test_cover_facts_from_hidden_and_nested_tags(acme: FilingFacts):
    assert acme.document == "acme_10-Q-2024-09-30.htm"
    assert acme.cik == "0001234567"  # written as 1234567 in the filing
    assert acme.document_type == "10-Q"  # inside a <span>
    assert acme.period_end_date == date(2024, 9, 30)  # "September 30, " and "2024" in two spans
    assert (acme.fiscal_year_focus, acme.fiscal_period_focus) == ("2024", "Q3")
    assert acme.amendment is False
    assert acme.current_fiscal_year_end == "--12-31"


def test_every_fact_named_after_revenue_is_kept_as_filed(acme: FilingFacts):
    # dbt decides which count (revenue_concept_rules) and names why the others do not
    assert {f.concept for f in acme.facts} == {
        "us-gaap:Revenues",
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        "acme:HostingRevenue",
        "acme:ConsultingRevenue",
        "us-gaap:CostOfRevenue",
        "us-gaap:DisposalGroupIncludingDiscontinuedOperationRevenue",
        "acme:RepresentationOfCompanysRevenuePercent",
        "acme:DeferredHostingRevenue",
    }  # not the misspelt Renevue


def test_total_revenue_with_text_in_child_elements_and_duplicates_kept_once(acme: FilingFacts):
    # shown three times: in the statement (decimals 0, "30,<span>009</span>,414"), in a note in thousands,
    # and in the note again under another context id with the same period
    (total,) = find(acme, "us-gaap:Revenues", *Q3)
    assert total.value == Decimal("30009414")
    assert total.formatted == "30,009,414"
    assert (total.fact_id, total.decimals, total.scale, total.sign, total.unit) == ("f_rev_q3", "0", 0, 1, "USD")
    assert total.context_id == "c_q3"
    assert total.axis is None and total.member is None


def test_prefixes_are_canonical(acme: FilingFacts):
    # the document writes us-gaap as "gaap:" (xmlns:gaap="http://fasb.org/us-gaap/2024")
    assert not [f for f in acme.facts if f.concept.startswith("gaap:")]
    (elimination,) = [f for f in acme.facts if f.fact_id == "f_elimination"]
    assert elimination.dimensions == (  # sorted by axis
        ("srt:ConsolidationItemsAxis", "us-gaap:IntersegmentEliminationMember"),
        (PRODUCT, "acme:HostingServicesMember"),
    )


def test_values_scale_sign_zero_and_nil(acme: FilingFacts):
    by_id = facts_by_id(acme)
    assert by_id["f_rev_ytd"].value == Decimal("81234000")  # "81,234" with scale 3
    assert (by_id["f_rev_ytd"].period_start, by_id["f_rev_ytd"].period_end) == (date(2024, 1, 1), date(2024, 9, 30))
    assert by_id["f_hpc"].value == Decimal("2000000")  # "2.0" with scale 6
    assert (by_id["f_elimination"].value, by_id["f_elimination"].sign) == (Decimal("-1000"), -1)
    assert (by_id["f_hpc_prior"].value, by_id["f_hpc_prior"].formatted) == (Decimal(0), "—")  # ixt:fixed-zero
    assert by_id["f_contract"].value == Decimal("750000")  # no format: a plain number
    nil = by_id["f_nil"]
    assert (nil.concept, nil.is_nil, nil.value, nil.formatted) == ("acme:ConsultingRevenue", True, None, "")


def test_dimensions_explicit_and_typed(acme: FilingFacts):
    by_id = facts_by_id(acme)
    assert by_id["f_mining"].dimensions == ((PRODUCT, "acme:BitcoinMiningMember"),)
    assert (by_id["f_mining"].axis, by_id["f_mining"].member) == (PRODUCT, "acme:BitcoinMiningMember")
    assert by_id["f_contract"].dimensions == (("acme:HostingContractAxis", "HC-42"),)  # typedMember: its text
    assert by_id["f_elimination"].axis is None and by_id["f_elimination"].member is None


def test_nested_nonfraction_gives_both_facts(acme: FilingFacts):
    by_id = facts_by_id(acme)
    assert by_id["f_hosting"].value == by_id["f_hosting_line"].value == Decimal("3010414")
    assert by_id["f_hosting"].dimensions == ((PRODUCT, "acme:HostingServicesMember"),)
    assert (by_id["f_hosting_line"].concept, by_id["f_hosting_line"].dimensions) == ("acme:HostingRevenue", ())


def test_disaggregation_adds_up_to_the_total(acme: FilingFacts):
    quarter = [f for f in acme.facts if (f.period_start, f.period_end) == Q3]
    parts = [f for f in quarter if f.concept.startswith("us-gaap:RevenueFromContract") and f.fact_id != "f_contract"]
    (total,) = find(acme, "us-gaap:Revenues", *Q3)
    assert sum(f.value for f in parts) == total.value


def test_facts_are_sorted_and_frozen(acme: FilingFacts):
    keys = [(f.concept, f.period_end, f.period_start, f.dimensions) for f in acme.facts]
    assert keys == sorted(keys)
    with pytest.raises(AttributeError):
        acme.facts[0].value = Decimal(1)  # type: ignore[misc]


# -- IFRS filer, transformation registry 2 -------------------------------------------------------------------


def test_ifrs_filing_with_comma_decimals_and_old_format_names():
    filing = parse_file(NORDHASH_20F)
    assert (filing.cik, filing.document_type, filing.period_end_date) == ("0007654321", "20-F", date(2024, 6, 30))
    assert (filing.amendment, filing.current_fiscal_year_end, filing.fiscal_period_focus) == (True, "--06-30", "FY")
    by_id = facts_by_id(filing)
    assert by_id["rev"].value == Decimal("187654300")  # "187.654,3" numcommadecimal, scale 3
    assert by_id["rev_prior"].value == Decimal("75500000")  # "75,500" numdotdecimal
    assert (by_id["rev_ai_prior"].value, by_id["rev_ai_prior"].formatted) == (Decimal(0), "-")  # zerodash
    assert by_id["rev_ai"].dimensions == (("ifrs-full:ProductsAndServicesAxis", "nh:AICloudServicesMember"),)
    assert by_id["rev_mining"].dimensions == (("ifrs-full:SegmentsAxis", "nh:BitcoinMiningSegmentMember"),)
    assert {f.concept for f in filing.facts} == {"ifrs-full:Revenue"}


# -- XBRL instance (.xml) ------------------------------------------------------------------------------------


def test_xbrl_instance():
    filing = parse_file(ACME_10K_XML)
    assert (filing.cik, filing.document_type, filing.period_end_date) == ("0001234567", "10-K", date(2023, 12, 31))
    assert (filing.fiscal_year_focus, filing.fiscal_period_focus, filing.amendment) == ("2023", "FY", False)
    assert filing.current_fiscal_year_end == "--12-31"
    fy23 = (date(2023, 1, 1), date(2023, 12, 31))
    (total,) = find(filing, "us-gaap:Revenues", *fy23)  # reported twice with the same value
    assert (total.value, total.unit, total.decimals, total.fact_id) == (Decimal("95000000"), "USD", "-3", "rev2023")
    # extension concepts in the default namespace get the prefix declared for it
    (hosting,) = find(filing, "acme:HostingRevenue", *fy23)
    assert hosting.value == Decimal("12500000")
    (engineering,) = find(filing, "acme:EngineeringRevenue", date(2022, 1, 1), date(2022, 12, 31))
    assert (engineering.value, engineering.sign) == (Decimal("-250000"), 1)  # the sign is in the value
    (consulting,) = find(filing, "acme:ConsultingRevenue", *fy23)
    assert consulting.is_nil and consulting.value is None
    (hosting_member,) = find(
        filing,
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        *fy23,
        dims=[(PRODUCT, "acme:HostingServicesMember")],  # member written without prefix, in the default namespace
    )
    assert hosting_member.value == Decimal("12500000")
    (segment,) = find(  # dimension in the scenario
        filing,
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        *fy23,
        dims=[("us-gaap:StatementBusinessSegmentsAxis", "acme:SelfMiningSegmentMember")],
    )
    assert segment.value == Decimal("82500000")
    assert "us-gaap:CostOfRevenue" in {f.concept for f in filing.facts}  # kept as filed; dbt excludes it


def test_xbrl_instance_missing_context_names_the_document():
    content = ACME_10K_XML.read_bytes().replace(
        b'"FY2022" unitRef="USD" decimals="-3">615', b'"FY2021" unitRef="USD" decimals="-3">615'
    )
    with pytest.raises(SecDataError, match=r"missing context 'FY2021' for fact us-gaap:Revenues in acme\.xml"):
        parse_filing(content, "acme.xml")


# -- number formats ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "text", "attrs", "expected"),
    [
        ("ixt:num-dot-decimal", "30,009,414.5", "", "30009414.5"),
        ("ixt:num-dot-decimal", "1 234 567", "", "1234567"),
        ("ixt:num-dot-decimal", "1234.", "", "1234"),
        ("ixt3:numdotdecimal", "30,009,414", "", "30009414"),
        ("ixt:num-comma-decimal", "1.234,5", "", "1234.5"),
        ("ixt3:numcommadecimal", "1.234.567,89", "", "1234567.89"),
        ("ixt:fixed-zero", "—", "", "0"),
        ("ixt:fixed-zero", "nil", 'sign="-"', "0"),
        ("ixt3:zerodash", "-", "", "0"),
        ("ixt3:zerodash", "–", "", "0"),
        ("ixt-sec:numwordsen", "no", "", "0"),
        ("ixt-sec:numwordsen", "None", "", "0"),
        ("ixt-sec:numwordsen", "one", "", "1"),
        ("ixt-sec:numwordsen", "twelve", "", "12"),
        ("ixt-sec:numwordsen", "Twenty-five", "", "25"),
        ("ixt-sec:numwordsen", "one hundred and five", "", "105"),
        ("ixt-sec:numwordsen", "two thousand", "", "2000"),
        (None, "1234.50", "", "1234.5"),
        (None, "12", 'scale="3"', "12000"),
        ("ixt:num-dot-decimal", "1,234", 'scale="3" sign="-"', "-1234000"),
        ("ixt:num-dot-decimal", "97", 'scale="-2"', "0.97"),
        ("ixt:num-dot-decimal", "1.5", 'scale="9"', "1500000000"),
    ],
)
def test_number_formats(fmt, text, attrs, expected):
    value = one_value(revenue(text, fmt=fmt, attrs=attrs))
    assert value == Decimal(expected)
    assert "E" not in str(value)  # plain notation
    assert str(value) == expected


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        ("ixt-sec:numwordsen", "several", r"cannot read 'several' as English number words \(ixt-sec:numwordsen\)"),
        ("ixt-sec:numwordsen", "thirteenth", "English number words"),
        ("ixt:num-dot-decimal", "12.34.56", r"cannot read '12\.34\.56' as ixt:num-dot-decimal"),
        ("ixt:num-dot-decimal", "1,23", "cannot read '1,23'"),
        ("ixt:num-dot-decimal", "n/a", "cannot read 'n/a'"),
        ("ixt:num-comma-decimal", "1,234.5", "cannot read '1,234.5' as ixt:num-comma-decimal"),
        (None, "1,234", "cannot read '1,234' as a plain number"),
        (None, "", "cannot read '' as a plain number"),
        ("ixt3:zerodash", "0", "is not a dash"),
        ("ixt:num-word-bogus", "12", "unknown number format 'ixt:num-word-bogus' in fact us-gaap:Revenues"),
        ("bogus:num-dot-decimal", "12", "unknown number format 'bogus:num-dot-decimal'"),
        ("ixt-sec:num-dot-decimal", "12", "unknown number format 'ixt-sec:num-dot-decimal'"),
    ],
)
def test_bad_numbers_and_unknown_formats_are_rejected(fmt, text, message):
    with pytest.raises(SecDataError, match=message) as caught:
        parse_filing(inline_doc(revenue(text, fmt=fmt)), "bad.htm")
    assert "bad.htm" in str(caught.value) and "us-gaap:Revenues (id r1)" in str(caught.value)


@pytest.mark.parametrize(
    ("attrs", "decimals", "message"),
    [
        ('sign="x"', "0", r"invalid sign 'x': the only sign is '-'"),
        ('sign="+"', "0", r"invalid sign '\+'"),
        ('sign=""', "0", r"invalid sign ''"),
        ("", "abc", r"invalid decimals 'abc': expected an integer or INF"),
        ("", "1.5", r"invalid decimals '1\.5'"),
        ("", "inf", r"invalid decimals 'inf'"),
        ("", "", r"invalid decimals ''"),
        ('scale="abc"', "0", r"invalid scale 'abc'"),
        ('scale="9999999999"', "0", r"invalid scale '9999999999'"),
    ],
)
def test_bad_sign_decimals_and_scale_are_rejected_naming_the_fact(attrs, decimals, message):
    with pytest.raises(SecDataError, match=message) as caught:
        parse_filing(inline_doc(revenue("12", attrs=attrs, decimals=decimals)), "bad.htm", accession=ACCESSION)
    assert "fact us-gaap:Revenues (id r1) has an invalid" in str(caught.value)
    assert f"in bad.htm (accession {ACCESSION})" in str(caught.value)


@pytest.mark.parametrize("decimals", ["INF", "-6", "+2", " 0 "])
def test_decimals_are_an_integer_or_inf(decimals):
    (fact,) = parse_filing(inline_doc(revenue("12", decimals=decimals)), "ok.htm").facts
    assert fact.decimals == decimals and fact.value == Decimal(12)


@pytest.mark.parametrize(
    ("text", "attrs", "shown"),
    [
        ("1", 'scale="34"', "1e+34"),
        ("12,345", 'scale="33" sign="-"', "-1.2345e+37"),
        ("1", 'scale="999999999"', None),  # beyond what a Decimal holds
    ],
)
def test_amounts_too_large_to_store_are_rejected_naming_the_fact_and_value(text, attrs, shown):
    body = revenue(text, attrs=attrs)
    with pytest.raises(SecDataError, match="out of range") as caught:
        parse_filing(inline_doc(body), "big.htm", cik="0001234567", accession=ACCESSION)
    message = str(caught.value)
    assert "fact us-gaap:Revenues (id r1)" in message
    assert f"in big.htm (accession {ACCESSION}, CIK 0001234567)" in message
    assert f"value {shown} (shown {text!r})" in message if shown else f"{text!r} at scale" in message


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        ("9999999999999999999999999999999999.99994", True),
        ("-9999999999999999999999999999999999.99994", True),
        ("9999999999999999999999999999999999.99995", False),  # DuckDB rounds it to 1e34
        ("1E+34", False),
        ("-1E+34", False),
        ("1E+999999", False),
        ("1E-999999", True),
    ],
)
def test_amount_limit_is_what_decimal_38_4_holds(value, fits):
    assert fits_amount_column(Decimal(value)) is fits


def test_xbrl_instance_amount_too_large_is_rejected():
    content = ACME_10K_XML.read_bytes().replace(b'decimals="-3">615', b'decimals="-3">1' + b"0" * 40, 1)
    assert content != ACME_10K_XML.read_bytes()
    with pytest.raises(
        SecDataError, match=r"fact us-gaap:Revenues: value 1e\+45 \(shown '10+'\) is out of range.* in acme\.xml"
    ):
        parse_filing(content, "acme.xml")


# -- duplicates ----------------------------------------------------------------------------------------------


def test_conflicting_duplicates_name_document_concept_context_and_values():
    body = revenue("30,009,414", fact_id="a") + revenue("30,009,999", fact_id="b")
    with pytest.raises(SecDataError) as caught:
        parse_filing(inline_doc(body), "dup.htm", cik="0001234567", accession="0001234567-24-000042")
    message = str(caught.value)
    for part in (
        "conflicting duplicate facts",
        "us-gaap:Revenues",
        "context 'q1'",
        "30009414",
        "30009999",
        "dup.htm",
        "accession 0001234567-24-000042",
        "CIK 0001234567",
    ):
        assert part in message


def test_duplicates_with_different_decimals_that_round_alike_are_consistent():
    body = revenue("30,009", attrs='scale="3"', decimals="-3", fact_id="thousands") + revenue(
        "30,009,414", fact_id="dollars"
    )
    (fact,) = parse_filing(inline_doc(body), "dup.htm").facts
    assert (fact.value, fact.fact_id) == (Decimal("30009414"), "dollars")  # the more precise one is kept


def test_duplicates_that_round_differently_conflict():
    body = revenue("30,010", attrs='scale="3"', decimals="-3", fact_id="thousands") + revenue(
        "30,009,414", fact_id="dollars"
    )
    with pytest.raises(SecDataError, match="conflicting duplicate facts us-gaap:Revenues"):
        parse_filing(inline_doc(body), "dup.htm")


def test_duplicate_of_a_nil_fact_keeps_the_value():
    body = revenue("", fmt=None, attrs='xsi:nil="true"', fact_id="nil") + revenue("5", fact_id="five")
    (fact,) = parse_filing(inline_doc(body), "dup.htm").facts
    assert (fact.value, fact.is_nil) == (Decimal(5), False)


def test_same_value_in_different_units_is_not_a_duplicate():
    contexts = '<xbrli:unit id="eur"><xbrli:measure>iso4217:EUR</xbrli:measure></xbrli:unit>'
    body = revenue("10") + revenue("9", fact_id="r2").replace('unitRef="usd"', 'unitRef="eur"')
    facts = parse_filing(inline_doc(body, contexts), "units.htm").facts
    assert sorted((f.unit, f.value) for f in facts) == [("EUR", Decimal(9)), ("USD", Decimal(10))]


# -- bad documents -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document in x.htm"),
        (b"  \n ", "empty document in x.htm"),
        (b"\x00\x01\x02 not a document", "cannot parse the document as XML or HTML"),
        (b"<html><body><p>Annual report</p></body></html>", "no inline XBRL facts in x.htm"),
        (b"<!DOCTYPE html><html><body><p>Annual report<br></p></body></html>", "no inline XBRL facts"),
        (b"<?xml version='1.0'?><report><revenue>5</revenue></report>", "no XBRL facts in x.htm"),
    ],
)
def test_documents_without_xbrl(content, message):
    with pytest.raises(SecDataError, match=message):
        parse_filing(content, "x.htm")


def test_malformed_inline_xbrl_names_document_accession_and_cik():
    truncated = inline_doc(revenue("5"))[:-60]
    with pytest.raises(SecDataError, match="malformed inline XBRL") as caught:
        parse_filing(truncated, "cut.htm", cik="1234567", accession="0001234567-24-000042")
    assert "cut.htm (accession 0001234567-24-000042, CIK 1234567)" in str(caught.value)


def test_missing_context():
    body = revenue("5").replace('contextRef="q1"', 'contextRef="q9"')
    with pytest.raises(SecDataError, match=r"missing context 'q9' for fact us-gaap:Revenues \(id r1\) in ctx\.htm"):
        parse_filing(inline_doc(body), "ctx.htm")


def test_missing_unit_and_unitref():
    with pytest.raises(SecDataError, match=r"missing unit 'eur' for fact us-gaap:Revenues \(id r1\) in unit\.htm"):
        parse_filing(inline_doc(revenue("5").replace('unitRef="usd"', 'unitRef="eur"')), "unit.htm")
    with pytest.raises(SecDataError, match="numeric fact us-gaap:Revenues .* has no unitRef"):
        parse_filing(inline_doc(revenue("5").replace('unitRef="usd"', "")), "unit.htm")


def test_undeclared_prefix_and_bad_period():
    body = revenue("5").replace("us-gaap:Revenues", "gaap:Revenues")
    with pytest.raises(SecDataError, match="undeclared prefix 'gaap'"):
        parse_filing(inline_doc(body), "prefix.htm")
    bad_period = inline_doc(revenue("5")).replace(b"2024-03-31", b"2024-02-30")
    with pytest.raises(SecDataError, match="context 'q1' has an invalid date '2024-02-30' in period.htm"):
        parse_filing(bad_period, "period.htm")


def test_unreadable_cover_date_is_an_error():
    cover = '<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="q1">the last day of March</ix:nonNumeric>'
    with pytest.raises(SecDataError, match="cannot read dei:DocumentPeriodEndDate 'the last day of March'"):
        parse_filing(inline_doc(revenue("5") + cover), "cover.htm")


def test_cover_facts_in_a_dimensional_context_are_ignored_and_instants_have_no_start():
    contexts = """
      <xbrli:context id="sub"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0001234567</xbrli:identifier>
        <xbrli:segment>
          <xbrldi:explicitMember dimension="dei:LegalEntityAxis">acme:SubsidiaryMember</xbrldi:explicitMember>
        </xbrli:segment></xbrli:entity><xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate>
        <xbrli:endDate>2024-03-31</xbrli:endDate></xbrli:period></xbrli:context>
      <xbrli:context id="end"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0001234567</xbrli:identifier>
        </xbrli:entity><xbrli:period><xbrli:instant>2024-03-31</xbrli:instant></xbrli:period></xbrli:context>"""
    body = (
        '<ix:nonNumeric name="dei:DocumentType" contextRef="sub">8-K</ix:nonNumeric>'
        '<ix:nonNumeric name="dei:DocumentType" contextRef="q1">10-Q<ix:exclude> (draft)</ix:exclude></ix:nonNumeric>'
        + revenue("7").replace('contextRef="q1"', 'contextRef="end"')
    )
    filing = parse_filing(inline_doc(body, contexts), "dims.htm")
    assert filing.document_type == "10-Q"
    assert filing.cik == "0001234567"  # no dei:EntityCentralIndexKey: taken from the contexts' identifier
    (fact,) = filing.facts
    assert (fact.period_start, fact.period_end) == (None, date(2024, 3, 31))


def test_parse_file_names_the_document_by_its_file_name(tmp_path: Path):
    path = tmp_path / "some_10-Q.htm"
    path.write_bytes(b"")
    with pytest.raises(SecDataError, match="empty document in some_10-Q.htm$"):
        parse_file(path)


# -- the analyst command -------------------------------------------------------------------------------------


@pytest.fixture
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """main() exports the resolved settings and DAGSTER_HOME to os.environ: restore them after the test."""
    for name in [*SETTING_DEFAULTS, "DAGSTER_HOME"]:
        present = name in os.environ
        monkeypatch.setenv(name, os.environ.get(name, ""))  # remembered: restored, or removed, afterwards
        if not present:
            monkeypatch.delenv(name)


def test_cli_prints_revenue_facts_as_csv(capsys: pytest.CaptureFixture[str], quiet_env):
    assert main(["revenue-facts", str(ACME_10Q)]) == 0
    out = capsys.readouterr().out
    p = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
    assert out.splitlines() == [
        "concept,period_start,period_end,axis,member,category,exclusion_reason,value",
        "acme:ConsultingRevenue,2024-07-01,2024-09-30,,,excluded,nil,",
        "acme:DeferredHostingRevenue,,2024-09-30,,,excluded,deferred_revenue_item,400000",
        "acme:HostingRevenue,2024-07-01,2024-09-30,,,total,,3010414",
        "acme:RepresentationOfCompanysRevenuePercent,2024-07-01,2024-09-30,,,excluded,count_or_percentage,0.97",
        "us-gaap:CostOfRevenue,2023-07-01,2023-09-30,,,excluded,cost_or_expense,9000000",
        "us-gaap:CostOfRevenue,2024-07-01,2024-09-30,,,excluded,cost_or_expense,12000000",
        "us-gaap:DisposalGroupIncludingDiscontinuedOperationRevenue,2024-07-01,2024-09-30,,,excluded,not_a_revenue_concept,0",
        f"{p},2023-07-01,2023-09-30,srt:ProductOrServiceAxis,acme:HpcColocationMember,hpc_ai,,0",
        f"{p},2024-07-01,2024-09-30,,,excluded,consolidation_item,-1000",
        f"{p},2024-07-01,2024-09-30,acme:HostingContractAxis,HC-42,excluded,other_axis,750000",
        f"{p},2024-07-01,2024-09-30,srt:ProductOrServiceAxis,acme:BitcoinMiningMember,self_mining,,25000000",
        f"{p},2024-07-01,2024-09-30,srt:ProductOrServiceAxis,acme:HostingServicesMember,hosting,,3010414",
        f"{p},2024-07-01,2024-09-30,srt:ProductOrServiceAxis,acme:HpcColocationMember,hpc_ai,,2000000",
        "us-gaap:Revenues,2023-07-01,2023-09-30,,,total,,18250000",
        "us-gaap:Revenues,2024-01-01,2024-09-30,,,total,,81234000",
        "us-gaap:Revenues,2024-07-01,2024-09-30,,,total,,30009414",
    ]


def test_cli_bad_filing_exits_2_with_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], quiet_env):
    path = tmp_path / "plain.htm"
    path.write_text("<html><body><p>no XBRL here</p></body></html>")
    assert main(["revenue-facts", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "error: no inline XBRL facts in plain.htm"


def test_cli_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], quiet_env):
    assert main(["revenue-facts", str(tmp_path / "nope.htm")]) == 2
    assert "error: no such file:" in capsys.readouterr().err
