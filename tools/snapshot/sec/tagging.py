"""How each filer tags its revenue in XBRL (concepts, axis, members, scale), in one table: the filer-specific
shapes the pipeline's parser must handle."""

from __future__ import annotations

from dataclasses import dataclass

REVENUES = "us-gaap:Revenues"
RFCWC = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
IFRS_REVENUE = "ifrs-full:Revenue"
PRODUCT_AXIS = "srt:ProductOrServiceAxis"


@dataclass(frozen=True)
class Tagging:
    """How a filer tags its revenue: domain for its namespace, concepts, axis, members and scale."""

    domain: str
    total_concepts: tuple[str, ...]  # US GAAP concepts carrying the total (the last also carries the members)
    members: dict[str, str]  # member local name -> planted category, in display order
    unit: int  # 1, 1_000 or 1_000_000: the tagging scale, and what every planted value is a multiple of
    zero_style: str = "dash"  # a zero member in a comparative: "dash" (ixt:fixed-zero) or "nil"
    axis: str = PRODUCT_AXIS
    ifrs_axis: str = "ifrs-full:ProductsAndServicesAxis"
    sic: str = "6199"


TAGGING: dict[str, Tagging] = {
    "MARA": Tagging(
        "mara.com", (REVENUES,), {"DigitalAssetMiningMember": "self_mining", "OtherRevenueMember": "other"}, 1000
    ),
    "RIOT": Tagging(
        "riotplatforms.com",
        (REVENUES,),
        {"BitcoinMiningMember": "self_mining", "DataCenterLeaseMember": "hpc_ai", "EngineeringMember": "other"},
        1000,
    ),
    "CLSK": Tagging("cleanspark.com", (REVENUES,), {}, 1),
    "CORZ": Tagging(
        "corescientific.com",
        (REVENUES,),
        {
            "SelfMiningMember": "self_mining",
            "HostingMember": "hosting",
            "HighPerformanceComputingHostingMember": "hpc_ai",
        },
        1000,
        zero_style="nil",
    ),
    "HUT": Tagging(
        "hut8.com",
        (REVENUES,),
        {
            "MiningSegmentMember": "self_mining",
            "HostingServicesMember": "hosting",
            "HpcSegmentMember": "hpc_ai",
            "EnergySalesMember": "other",
        },
        1000,
        axis="us-gaap:StatementBusinessSegmentsAxis",
    ),
    "BITF": Tagging(
        "bitfarms.com", (REVENUES,), {"BitcoinMiningMember": "self_mining", "EngineeringMember": "other"}, 1000
    ),
    "IREN": Tagging(
        "iren.com", (RFCWC,), {"BitcoinMiningMember": "self_mining", "AICloudServicesMember": "hpc_ai"}, 1000, "nil"
    ),
    "CIFR": Tagging(
        "ciphermining.com",
        (RFCWC,),
        {"BitcoinMiningMember": "self_mining", "DataCenterLeaseMember": "hpc_ai"},
        1000,
        zero_style="nil",
    ),
    "WULF": Tagging(
        "terawulf.com",
        (REVENUES,),
        {
            "SelfMiningMember": "self_mining",
            "HighPerformanceComputingHostingMember": "hpc_ai",
            "OtherRevenueMember": "other",
        },
        1000,
        zero_style="nil",
    ),
    "BTDR": Tagging(
        "bitdeer.com", (REVENUES,), {"SelfMiningMember": "self_mining", "OtherRevenueMember": "other"}, 1000
    ),
    "HIVE": Tagging(
        "hivedigitaltechnologies.com",
        (REVENUES,),
        {"DigitalAssetMiningMember": "self_mining", "OtherRevenueMember": "other"},
        1,
        ifrs_axis="ifrs-full:SegmentsAxis",
    ),
    "APLD": Tagging(
        "applieddigital.com",
        (REVENUES,),
        {"DataCenterHostingMember": "hosting", "DataCenterLeaseMember": "hpc_ai"},
        1000,
        sic="7374",
    ),
    "GLXY": Tagging(
        "galaxy.com",
        (REVENUES,),
        {
            "BitcoinMiningMember": "self_mining",
            "HostingServicesMember": "hosting",
            "DataCenterLeaseMember": "hpc_ai",
            "OtherRevenueMember": "other",
        },
        1000,
        sic="6211",
    ),
    "BTBT": Tagging(
        "bit-digital.com",
        (RFCWC,),
        {
            "DigitalAssetMiningMember": "self_mining",
            "CloudServicesMember": "hpc_ai",
            "ColocationServicesMember": "hpc_ai",
            "AncillaryServicesMember": "unclassified",
        },
        1,
    ),
    "SLNH": Tagging(
        "solunacomputing.com",
        (REVENUES, RFCWC),
        {"BitcoinMiningMember": "self_mining", "HostingMember": "hosting", "DemandResponseServicesMember": "other"},
        1,
    ),
    "ABTC": Tagging(
        "americanbitcoin.com", (RFCWC,), {"BitcoinMiningMember": "self_mining", "HostingMember": "hosting"}, 1
    ),
    "CRWV": Tagging("coreweave.com", (RFCWC,), {"AICloudServicesMember": "hpc_ai"}, 1_000_000, sic="7374"),
}
