"""The reader on four real CleanSpark 10-Qs (shared real data; skipped when absent), cross-checked against Arelle.

CleanSpark's fiscal year ends on 30 September. What the filings tag (checked by reading the statements):
- FY2024 Q2 and Q3 (2024-03-31, 2024-06-30): "Total revenues, net" is us-gaap:Revenues. Q2 tags "Bitcoin mining
  revenue, net" as clsk:DigitalCurrencyMiningRevenues; Q3 tags it as RevenueFromContractWithCustomerIncludingAssessedTax
  on srt:ProductOrServiceAxis (clsk:BitcoinMiningRevenueNetMember, us-gaap:ServiceOtherMember).
- FY2025 Q1 and Q3 (2024-12-31, 2025-06-30): the statement has one revenue line, "Bitcoin mining revenue, net",
  tagged clsk:DigitalCurrencyMiningRevenues; there is NO undimensioned us-gaap:Revenues. The only us-gaap:Revenues
  facts are the GRIID acquisition's pro forma revenue, on us-gaap:BusinessAcquisitionAxis.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.sources.errors import SecDataError
from orchestration.sources.sec.classification import classify_facts
from orchestration.sources.sec.xbrl import FilingFacts, is_revenue_named, parse_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sec"
CLSK_CIK = "0000827876"
MINING = "clsk:DigitalCurrencyMiningRevenues"
TOTAL = "us-gaap:Revenues"
CATEGORIES = {"self_mining", "hosting", "hpc_ai", "other", "unclassified"}


@dataclass(frozen=True)
class Expected:
    file: str
    period_end: date
    fiscal_year: str
    fiscal_period: str
    quarter_start: date
    total_revenue: Decimal  # the quarter's total revenue on the statement of operations, in dollars
    total_concept: str  # the undimensioned concept that carries it


EXPECTED = [
    # "Total revenues, net $ 111,799" (thousands), three months ended March 31, 2024
    Expected(
        "clsk_10-Q-2024-03-31.html", date(2024, 3, 31), "2024", "Q2", date(2024, 1, 1), Decimal(111_799_000), TOTAL
    ),
    # "Total revenues, net $ 104,108" (thousands), three months ended June 30, 2024
    Expected(
        "clsk_10-Q-2024-06-30.html", date(2024, 6, 30), "2024", "Q3", date(2024, 4, 1), Decimal(104_108_000), TOTAL
    ),
    # "Bitcoin mining revenue, net $ 162,306" (thousands, the only revenue line), three months ended December 31, 2024
    Expected(
        "clsk_10Q-2024-12-31.html", date(2024, 12, 31), "2025", "Q1", date(2024, 10, 1), Decimal(162_306_000), MINING
    ),
    # "Bitcoin mining revenue, net $ 198,644" (thousands, the only revenue line), three months ended June 30, 2025
    Expected(
        "clsk_10-Q-2025-06-30.html", date(2025, 6, 30), "2025", "Q3", date(2025, 4, 1), Decimal(198_644_000), MINING
    ),
]
IDS = [e.file for e in EXPECTED]


def _path(real_sec_dir: Path, expected: Expected) -> Path:
    path = real_sec_dir / expected.file
    if not path.is_file():
        pytest.skip(f"{expected.file} is not in the shared real SEC data")
    return path


@pytest.fixture(scope="module")
def parsed() -> dict[Path, FilingFacts]:
    return {}


def _parse(path: Path, cache: dict[Path, FilingFacts]) -> FilingFacts:
    if path not in cache:
        cache[path] = parse_file(path)
    return cache[path]


@pytest.mark.parametrize("expected", EXPECTED, ids=IDS)
def test_cover_page(real_sec_dir: Path, parsed, expected: Expected):
    filing = _parse(_path(real_sec_dir, expected), parsed)
    assert filing.cik == CLSK_CIK
    assert filing.document_type == "10-Q"
    assert filing.period_end_date == expected.period_end
    assert (filing.fiscal_year_focus, filing.fiscal_period_focus) == (expected.fiscal_year, expected.fiscal_period)
    assert filing.amendment is False
    assert filing.current_fiscal_year_end == "--09-30"  # the two FY2025 filings write "09-30" (ixt:date-month-day)


@pytest.mark.parametrize("expected", EXPECTED, ids=IDS)
def test_quarter_total_revenue(real_sec_dir: Path, parsed, expected: Expected):
    filing = _parse(_path(real_sec_dir, expected), parsed)
    quarter = [
        f
        for f in filing.facts
        if (f.period_start, f.period_end) == (expected.quarter_start, expected.period_end) and not f.dimensions
    ]
    by_concept = {f.concept: f.value for f in quarter}
    assert by_concept[expected.total_concept] == expected.total_revenue
    if expected.total_concept == MINING:
        assert TOTAL not in by_concept  # only the pro forma us-gaap:Revenues, on BusinessAcquisitionAxis
        pro_forma = [f for f in filing.facts if f.concept == TOTAL]
        assert pro_forma and all(f.axis == "us-gaap:BusinessAcquisitionAxis" for f in pro_forma)
        assert {c.exclusion_reason for c in classify_facts(pro_forma)} == {"acquisition_pro_forma"}
    elif MINING in by_concept:
        assert by_concept[MINING] == by_concept[TOTAL]  # no other services revenue in the quarter
    # the total's facts are in dollars, durations, with the inclusive end date of a month
    totals = [f for f in filing.facts if f.concept in (TOTAL, MINING)]
    assert all(f.unit == "USD" and f.period_start is not None for f in totals)
    assert all((f.period_end + timedelta(days=1)).day == 1 for f in totals)


def test_fiscal_2024_q3_mining_revenue_on_the_product_axis(real_sec_dir: Path, parsed):
    filing = _parse(_path(real_sec_dir, EXPECTED[1]), parsed)
    quarter = {
        (f.member, c.label): f.value
        for f, c in zip(filing.facts, classify_facts(filing.facts), strict=True)
        if f.axis == "srt:ProductOrServiceAxis" and f.period_start == date(2024, 4, 1)
    }
    assert quarter == {
        ("clsk:BitcoinMiningRevenueNetMember", "self_mining"): Decimal(104_108_000),
        ("us-gaap:ServiceOtherMember", "other"): Decimal(0),
    }


# -- cross-check against Arelle ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def arelle_cntlr(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("arelle")
    with pytest.MonkeyPatch.context() as patch:
        # Arelle keeps its config and web cache under XDG_CONFIG_HOME (else ~/.config/arelle): keep it in a tmp dir
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("arelle_config")))
        from arelle import Cntlr

        cntlr = Cntlr.Cntlr(logFileName="logToBuffer")
        cntlr.webCache.workOffline = True
        yield cntlr
        cntlr.close()


UNREAD = object()  # a fact whose number Arelle could not read


def _canonical(qname) -> str:
    uri = qname.namespaceURI or ""
    for start, prefix in (
        ("http://fasb.org/us-gaap/", "us-gaap"),
        ("http://fasb.org/srt/", "srt"),
        ("http://xbrl.sec.gov/dei/", "dei"),
    ):
        if uri.startswith(start):
            return f"{prefix}:{qname.localName}"
    if "xbrl.ifrs.org/taxonomy/" in uri and uri.endswith("/ifrs-full"):
        return f"ifrs-full:{qname.localName}"
    return f"{qname.prefix}:{qname.localName}"


def _arelle_revenue_facts(cntlr, path: Path) -> list[tuple[tuple, Decimal | None, str | None]]:
    """(key, value, decimals) of every ix:nonFraction revenue fact, as Arelle reads it; end dates made inclusive."""
    model = cntlr.modelManager.load(str(path))
    try:
        facts = []
        for fact in model.facts:
            if fact.localName != "nonFraction" or not is_revenue_named(fact.qname.localName):
                continue
            context = fact.context
            if context.isInstantPeriod:
                start, end = None, (context.instantDatetime - timedelta(days=1)).date()
            else:  # Arelle's end is exclusive: midnight after the last day
                start, end = context.startDatetime.date(), (context.endDatetime - timedelta(days=1)).date()
            dimensions = []
            for axis, member in context.qnameDims.items():
                value = _canonical(member.memberQname) if member.isExplicit else member.typedMember.textValue.strip()
                dimensions.append((_canonical(axis), value))
            unit = fact.unit.measures[0][0].localName
            try:
                value = None if fact.isNil else Decimal(fact.value)
            except ArithmeticError:  # a number Arelle cannot transform offline ("one" in ixt-sec:numwordsen)
                value = UNREAD
            facts.append(((_canonical(fact.qname), start, end, tuple(sorted(dimensions)), unit), value, fact.decimals))
        return facts
    finally:
        cntlr.modelManager.close(model)


def _assert_agrees_with_arelle(filing: FilingFacts, arelle_facts) -> None:
    ours = {(f.concept, f.period_start, f.period_end, f.dimensions, f.unit): f for f in filing.facts}
    assert arelle_facts, "Arelle found no revenue facts"
    assert set(ours) == {key for key, _, _ in arelle_facts}
    exact = set()
    for key, value, decimals in arelle_facts:
        fact = ours[key]
        if value is None or value is UNREAD:
            continue
        assert fact.value is not None, key
        if fact.value == value:
            exact.add(key)
        else:  # a less precise duplicate of the kept fact: equal once rounded to its decimals
            step = Decimal(1).scaleb(-int(decimals))
            assert fact.value.quantize(step) == value.quantize(step), (key, fact.value, value)
    compared = {key for key, value, _ in arelle_facts if value is not UNREAD}
    assert exact == {key for key, f in ours.items() if f.value is not None and key in compared}


# every real 10-Q/10-K in the shared folder: CleanSpark's, and Riot's with product and segment axes,
# consolidation items, restatements, counts and instants
REAL_FILINGS = [*IDS, *(f"riot_{p}.htm" for p in ("10-K_2023-12-31", "10-Q_2024-03-31", "10-Q_2025-03-31"))]


@pytest.mark.parametrize("name", REAL_FILINGS)
def test_real_filing_agrees_with_arelle(real_sec_dir: Path, parsed, arelle_cntlr, name: str):
    path = real_sec_dir / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the shared real SEC data")
    _assert_agrees_with_arelle(_parse(path, parsed), _arelle_revenue_facts(arelle_cntlr, path))


@pytest.mark.parametrize("name", ["acme_10-Q-2024-09-30.htm", "nordhash_20-F-2024-06-30.htm"])
def test_handcrafted_inline_fixture_agrees_with_arelle(arelle_cntlr, name: str):
    path = FIXTURES / name
    _assert_agrees_with_arelle(parse_file(path), _arelle_revenue_facts(arelle_cntlr, path))


# -- the analyst command on every real filing ----------------------------------------------------------------


def test_revenue_facts_command_on_every_real_filing(real_sec_dir: Path, capsys: pytest.CaptureFixture[str]):
    """One CSV row per fact, each classified as dbt classifies it: counted members carry a seed category."""
    from orchestration.cli import revenue_facts

    documents = sorted(p for p in real_sec_dir.iterdir() if p.suffix in (".htm", ".html", ".xml"))
    read = 0
    for path in documents:
        try:
            facts = parse_file(path).facts
        except SecDataError:
            continue  # an exhibit without inline XBRL
        assert revenue_facts(str(path)) == 0, path.name
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        assert len(rows) == len(facts), path.name
        for row in rows:
            assert row["category"] in CATEGORIES | {"total", "excluded"}, row
            assert bool(row["exclusion_reason"]) == (row["category"] == "excluded"), row
        read += 1
    assert read >= 4


# --- shares outstanding, cash and debt (the valuation's facts) --------------------------------------------------

# The consolidated (no axis) facts each real filing gives for its current balance sheet and cover, in dollars
# and shares, as read off the documents: the cover page, the balance sheet and the debt note. Riot's
# us-gaap:LongTermDebt is a debt note's total (equipment loans), not its balance sheet debt; CleanSpark tags its
# noncurrent loans line with us-gaap:LongTermDebt too, and its 10-Q for 2024-03-31 has no unrestricted cash
# concept (the balance sheet line "Cash and cash equivalents, including restricted cash" is tagged
# us-gaap:RestrictedCashAndCashEquivalents; the cash flow statement's total is the fallback).
BALANCE_SHEETS = {
    "clsk_10-Q-2024-03-31.html": {
        ("dei:EntityCommonStockSharesOutstanding", date(2024, 5, 8)): 227_870_260,
        ("us-gaap:CommonStockSharesOutstanding", date(2024, 3, 31)): 225_469_791,
        ("us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", date(2024, 3, 31)): 323_052_000,
        ("us-gaap:LoansPayableCurrent", date(2024, 3, 31)): 7_686_000,
        ("us-gaap:LongTermLoansPayable", date(2024, 3, 31)): 5_090_000,
        ("us-gaap:LongTermDebt", date(2024, 3, 31)): 5_090_000,
    },
    "clsk_10Q-2024-12-31.html": {
        ("dei:EntityCommonStockSharesOutstanding", date(2025, 2, 4)): 280_807_606,
        ("us-gaap:CommonStockSharesOutstanding", date(2024, 12, 31)): 280_806_295,
        ("us-gaap:CashAndCashEquivalentsAtCarryingValue", date(2024, 12, 31)): 276_599_000,
        ("us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", date(2024, 12, 31)): 280_007_000,
        ("us-gaap:LoansPayableCurrent", date(2024, 12, 31)): 7_215_000,
        ("us-gaap:LongTermLoansPayable", date(2024, 12, 31)): 641_433_000,
        ("us-gaap:LongTermDebt", date(2024, 12, 31)): 641_433_000,
    },
    "clsk_10-Q-2025-06-30.html": {
        ("dei:EntityCommonStockSharesOutstanding", date(2025, 8, 1)): 281_083_382,
        ("us-gaap:CommonStockSharesOutstanding", date(2025, 6, 30)): 281_063_551,
        ("us-gaap:CashAndCashEquivalentsAtCarryingValue", date(2025, 6, 30)): 34_553_000,
        ("us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", date(2025, 6, 30)): 38_015_000,
        ("us-gaap:LoansPayableCurrent", date(2025, 6, 30)): 176_424_000,
        ("us-gaap:LongTermLoansPayable", date(2025, 6, 30)): 643_913_000,
        ("us-gaap:LongTermDebt", date(2025, 6, 30)): 643_913_000,
    },
    "riot_10-K_2023-12-31.htm": {
        ("dei:EntityCommonStockSharesOutstanding", date(2024, 2, 20)): 253_538_213,
        ("us-gaap:CommonStockSharesOutstanding", date(2023, 12, 31)): 230_836_624,
        ("us-gaap:CashAndCashEquivalentsAtCarryingValue", date(2023, 12, 31)): 597_169_000,
        ("us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", date(2023, 12, 31)): 597_169_000,
    },
    "riot_10-Q_2024-09-30.htm": {
        ("dei:EntityCommonStockSharesOutstanding", date(2024, 10, 28)): 332_325_535,
        ("us-gaap:CommonStockSharesOutstanding", date(2024, 9, 30)): 324_280_388,
        ("us-gaap:CashAndCashEquivalentsAtCarryingValue", date(2024, 9, 30)): 355_709_000,
        ("us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", date(2024, 9, 30)): 428_382_000,
        ("us-gaap:LongTermDebtCurrent", date(2024, 9, 30)): 657_000,
        ("us-gaap:LongTermDebtNoncurrent", date(2024, 9, 30)): 5_600_000,
        ("us-gaap:LongTermDebt", date(2024, 9, 30)): 5_675_000,
    },
    "riot_10-Q_2025-03-31.htm": {
        ("dei:EntityCommonStockSharesOutstanding", date(2025, 4, 28)): 357_263_742,
        ("us-gaap:CommonStockSharesOutstanding", date(2025, 3, 31)): 350_184_294,
        ("us-gaap:CashAndCashEquivalentsAtCarryingValue", date(2025, 3, 31)): 163_719_000,
        ("us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", date(2025, 3, 31)): 237_871_000,
        ("us-gaap:LongTermDebtCurrent", date(2025, 3, 31)): 314_000,
        ("us-gaap:LongTermDebtNoncurrent", date(2025, 3, 31)): 584_999_000,
        ("us-gaap:LongTermDebt", date(2025, 3, 31)): 5_323_000,
    },
}


@pytest.mark.parametrize("name", sorted(BALANCE_SHEETS))
def test_real_filings_give_their_shares_cash_and_debt(real_sec_dir: Path, name: str):
    filing = parse_file(real_sec_dir / name)
    assert not any(is_revenue_named(f.concept.rpartition(":")[2]) for f in filing.balance_sheet_facts)
    consolidated = {
        (fact.concept, fact.period_end): fact.value
        for fact in filing.balance_sheet_facts
        if not fact.dimensions and fact.value is not None
    }
    current = max(day for (concept, day) in consolidated if concept.startswith("us-gaap:Cash"))
    cover = {key: value for key, value in consolidated.items() if key[1] == current or key[0].startswith("dei:")}
    assert cover == BALANCE_SHEETS[name]
