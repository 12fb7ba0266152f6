"""Member -> revenue category, from the dbt seed revenue_member_map.csv (lowest matching precedence wins)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.sources.sec.categories import (
    CATEGORY_AXES,
    classify_member,
    fact_category,
    load_member_rules,
)
from orchestration.sources.sec.xbrl import RevenueFact


@pytest.fixture(scope="module")
def rules():
    return load_member_rules()


@pytest.mark.parametrize(
    ("member", "category"),
    [
        ("btbt:CloudServicesMember", "hpc_ai"),
        ("btbt:ColocationServicesMember", "hpc_ai"),
        ("iren:AICloudServicesMember", "hpc_ai"),
        ("iren:AiCloudServicesMember", "hpc_ai"),
        ("apld:HPCHostingMember", "hpc_ai"),  # HPC before hosting
        ("apld:HpcHostingSegmentMember", "hpc_ai"),
        ("wulf:HighPerformanceComputingHostingMember", "hpc_ai"),
        ("cifr:GPUCloudMember", "hpc_ai"),
        ("apld:TenantLeaseRevenueMember", "hpc_ai"),
        ("apld:DataCenterHostingMember", "hosting"),
        ("mara:HostingServicesMember", "hosting"),
        ("clsk:BitcoinMiningRevenueNetMember", "self_mining"),
        ("riot:BitcoinMiningMember", "self_mining"),
        ("hut:DigitalAssetMiningMember", "self_mining"),
        ("riot:EngineeringMember", "other"),
        ("riot:PowerCurtailmentCreditsMember", "other"),  # Power (rule 80)
        ("us-gaap:ServiceOtherMember", "other"),
        ("acme:MaintenanceMember", "unclassified"),  # no "AI" match inside a word (case-sensitive ^AI[A-Z])
        ("acme:AircraftMember", "unclassified"),
        ("acme:hostingMember", "unclassified"),  # case-sensitive
        ("hosting:SomethingMember", "unclassified"),  # the prefix is not looked at
        (None, "unclassified"),
        ("", "unclassified"),
    ],
)
def test_classify_member(rules, member, category):
    assert classify_member(member, rules) == category


def test_lowest_precedence_wins_whatever_the_order(rules):
    assert [r.precedence for r in rules] == sorted(r.precedence for r in rules)
    assert classify_member("x:HpcHostingMember", list(reversed(rules))) == "hpc_ai"


def test_seed_rules_loaded(rules):
    assert {r.rule_id for r in rules} >= {"hpc_named", "hosting", "self_mining", "other"}
    assert {r.category for r in rules} == {"hpc_ai", "hosting", "self_mining", "other", "excluded"}


def _seed(tmp_path: Path, body: str) -> Path:
    (tmp_path / "revenue_member_map.csv").write_text("rule_id,precedence,member_pattern,category,comment\n" + body)
    return tmp_path


def test_bad_seeds_are_rejected(tmp_path: Path):
    with pytest.raises(ValueError, match="rule 'bad' has an invalid member_pattern"):
        load_member_rules(_seed(tmp_path, "bad,10,Hosting(,hosting,\n"))
    with pytest.raises(ValueError, match="non-integer precedence"):
        load_member_rules(_seed(tmp_path, "bad,ten,Hosting,hosting,\n"))
    with pytest.raises(ValueError, match=r"precedence \[10\] used by more than one rule"):
        load_member_rules(_seed(tmp_path, "a,10,Hosting,hosting,\nb,10,Mining,self_mining,\n"))
    (tmp_path / "revenue_member_map.csv").write_text("rule_id,member_pattern\nx,Hosting\n")
    with pytest.raises(ValueError, match="missing column"):
        load_member_rules(tmp_path)


def test_custom_seed_precedence(tmp_path: Path):
    rules = load_member_rules(_seed(tmp_path, "mining,20,Mining,self_mining,\nhosting,5,Hosting,hosting,\n"))
    assert classify_member("x:MiningHostingMember", rules) == "hosting"


def fact(*dimensions: tuple[str, str]) -> RevenueFact:
    return RevenueFact(
        concept="us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        context_id="c",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 3, 31),
        dimensions=tuple(sorted(dimensions)),
        unit="USD",
        decimals="0",
        scale=0,
        sign=1,
        formatted="1",
        value=Decimal(1),
        is_nil=False,
        fact_id=None,
    )


@pytest.mark.parametrize("axis", CATEGORY_AXES)
def test_fact_category_on_product_and_segment_axes(rules, axis):
    assert fact_category(fact((axis, "btbt:CloudServicesMember")), rules) == "hpc_ai"
    assert fact_category(fact((axis, "acme:WidgetsMember")), rules) == "unclassified"


@pytest.mark.parametrize(
    "dimensions",
    [
        [("us-gaap:BusinessAcquisitionAxis", "clsk:GriidInfrastructureIncMember")],
        [("srt:ConsolidationItemsAxis", "us-gaap:OperatingSegmentsMember")],
        [("srt:CryptoAssetAxis", "srt:BitcoinMember")],
        [("srt:ProductOrServiceAxis", "btbt:CloudServicesMember"), ("srt:ConsolidationItemsAxis", "x:ElimMember")],
    ],
)
def test_fact_category_other_axes(rules, dimensions):
    assert fact_category(fact(*dimensions), rules) == "other_axis"


def test_fact_category_total(rules):
    assert fact_category(fact(), rules) == "total"
