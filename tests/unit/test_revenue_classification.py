"""The in-process classifier: dbt's revenue_classification macros and seeds, run with DuckDB from Python."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.paths import SEEDS_DIR
from orchestration.sources.sec.classification import classify_facts, classify_members, revenue_concepts
from orchestration.sources.sec.xbrl import NumericFact

CATEGORY_AXES = (
    "srt:ProductOrServiceAxis",
    "us-gaap:StatementBusinessSegmentsAxis",
    "ifrs-full:ProductsAndServicesAxis",
    "ifrs-full:SegmentsAxis",
)
MEMBERS = {
    "btbt:CloudServicesMember": "hpc_ai",
    "btbt:ColocationServicesMember": "hpc_ai",
    "iren:AICloudServicesMember": "hpc_ai",
    "iren:AiCloudServicesMember": "hpc_ai",
    "apld:HPCHostingMember": "hpc_ai",  # HPC before hosting
    "apld:HpcHostingSegmentMember": "hpc_ai",
    "wulf:HighPerformanceComputingHostingMember": "hpc_ai",
    "cifr:GPUCloudMember": "hpc_ai",
    "apld:TenantLeaseRevenueMember": "hpc_ai",
    "apld:DataCenterHostingMember": "hosting",
    "mara:HostingServicesMember": "hosting",
    "clsk:BitcoinMiningRevenueNetMember": "self_mining",
    "riot:BitcoinMiningMember": "self_mining",
    "hut:DigitalAssetMiningMember": "self_mining",
    "riot:EngineeringMember": "other",
    "riot:PowerCurtailmentCreditsMember": "other",  # Power (rule 80)
    "us-gaap:ServiceOtherMember": "other",
    "riot:EliminationsMember": "excluded",
    "riot:RevenueNetMiningMember": "excluded",  # concentration member, before Mining
    "acme:MaintenanceMember": "unclassified",  # no "AI" match inside a word (case-sensitive ^AI[A-Z])
    "acme:AircraftMember": "unclassified",
    "acme:hostingMember": "unclassified",  # case-sensitive
    "hosting:SomethingMember": "unclassified",  # the prefix is not looked at
}


def test_classify_members():
    assert classify_members(MEMBERS) == MEMBERS


def _seed(tmp_path: Path, body: str) -> Path:
    concept_rules = "revenue_concept_rules.csv"
    (tmp_path / concept_rules).write_text((SEEDS_DIR / concept_rules).read_text())
    (tmp_path / "revenue_member_map.csv").write_text("rule_id,precedence,member_pattern,category,comment\n" + body)
    return tmp_path


def test_lowest_precedence_wins_whatever_the_row_order(tmp_path: Path):
    seeds = _seed(tmp_path, "mining,20,Mining,self_mining,\nhosting,5,Hosting,hosting,\n")
    assert classify_members(["x:MiningHostingMember"], seeds) == {"x:MiningHostingMember": "hosting"}


def fact(*dimensions: tuple[str, str], concept: str = "us-gaap:Revenues", **changes) -> NumericFact:
    fields = {
        "concept": concept,
        "context_id": "c",
        "period_start": date(2024, 1, 1),
        "period_end": date(2024, 3, 31),
        "dimensions": tuple(sorted(dimensions)),
        "unit": "USD",
        "decimals": "0",
        "scale": 0,
        "sign": 1,
        "formatted": "1",
        "value": Decimal(1),
        "is_nil": False,
        "fact_id": None,
    }
    return NumericFact(**{**fields, **changes})


def _outcome(f: NumericFact) -> tuple[str, str | None, str | None]:
    (found,) = classify_facts([f])
    return found.fact_role, found.exclusion_reason, found.revenue_category


@pytest.mark.parametrize("axis", CATEGORY_AXES)
def test_category_members_on_product_and_segment_axes(axis):
    assert _outcome(fact((axis, "btbt:CloudServicesMember"))) == ("category", None, "hpc_ai")
    assert _outcome(fact((axis, "acme:WidgetsMember"))) == ("category", None, "unclassified")
    assert _outcome(fact((axis, "riot:EliminationsMember"))) == ("excluded", "member_not_counted", None)


@pytest.mark.parametrize(
    ("f", "reason"),
    [
        (fact(("us-gaap:BusinessAcquisitionAxis", "clsk:GriidMember")), "acquisition_pro_forma"),
        (fact(("srt:ConsolidationItemsAxis", "us-gaap:OperatingSegmentsMember")), "consolidation_item"),
        (fact(("srt:CryptoAssetAxis", "srt:BitcoinMember")), "other_axis"),
        (fact(("srt:ProductOrServiceAxis", "x:HostingMember"), ("acme:ContractAxis", "x:C1Member")), "other_axis"),
        (fact(concept="us-gaap:CostOfRevenue"), "cost_or_expense"),
        (fact(unit="shares"), "not_usd"),
        (fact(period_start=None), "instant"),
        (fact(is_nil=True, value=None), "nil"),
    ],
)
def test_excluded_facts_say_why(f: NumericFact, reason: str):
    assert _outcome(f) == ("excluded", reason, None)


def test_totals_and_order_kept():
    facts = [fact(), fact(("srt:ProductOrServiceAxis", "x:HostingMember"), context_id="h")]
    assert [c.label for c in classify_facts(facts)] == ["total", "hosting"]
    assert classify_facts([]) == []


def test_revenue_concepts_follow_the_concept_rules():
    counted = {
        "us-gaap:Revenues",
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        "us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax",
        "ifrs-full:Revenue",
        "clsk:DigitalCurrencyMiningRevenues",
        "btbt:HostingRevenue",
    }
    not_counted = {
        "us-gaap:CostOfRevenue",
        "us-gaap:DisposalGroupIncludingDiscontinuedOperationRevenue",
        "us-gaap:BusinessAcquisitionsProFormaRevenue",
        "us-gaap:RevenueFromContractWithCustomerTextBlock",
        "srt:SomeRevenue",
        "ifrs-full:RevenueFromInterest",
        "clsk:RepresentationOfCompanysRevenuePercent",
        "clsk:CostOfMiningRevenue",
        "acme:DeferredHostingRevenue",
        "acme:UnbilledRevenue",
        "acme:ProFormaRevenue",
        "btbt:AnnualizedRevenue",
        "clsk:OtherServiceRenevue",
    }
    assert revenue_concepts(counted | not_counted) == counted
