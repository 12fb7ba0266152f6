"""The SEC raw-table and revenue/AI mart GE suites against good frames and frames broken one way each.

Frames have the dtypes DuckDB's `.df()` gives the gates: dates as datetime64, decimals as floats, integers with
nulls as nullable Int32. Each broken frame must fail exactly the expectation it breaks, at its severity.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from orchestration.defs.quality.gates import validate_table
from orchestration.defs.quality.gx_suites import FailedExpectation, SuiteResult

LOADED = {
    "source": "snapshot",
    "is_synthetic": True,
    "loaded_at": pd.Timestamp("2025-01-06 12:00:00"),
    "run_id": "run-1",
}
CLSK, MARA = "0000827876", "0001507605"
Q1 = "0000827876-24-000123"
FY = "0001507605-24-000010"


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[us]")


def frame(rows: list[dict], date_columns: tuple[str, ...] = (), int_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    result = pd.DataFrame(rows)
    for column in date_columns:
        result[column] = dates(*result[column])
    for column in int_columns:
        result[column] = result[column].astype("Int32")
    return result


def good_filings() -> pd.DataFrame:
    rows = [
        (CLSK, "CLSK", Q1, "10-Q", "2024-05-09", "2024-03-31", "clsk-20240331.htm", None),
        (CLSK, "CLSK", "0000827876-24-000101", "8-K", "2024-05-02", "2024-05-01", "ea0205421-8k.htm", "2.02,9.01"),
        (MARA, "MARA", FY, "10-K", "2024-02-28", "2023-12-31", "mara-20231231.htm", None),
        (MARA, "MARA", "0001507605-24-000011", "4", "2024-03-01", None, "form4.xml", None),
    ]
    return frame(
        [
            {
                "cik": cik,
                "ticker": ticker,
                "accession_number": accession,
                "form": form,
                "filing_date": filed,
                "report_date": report,
                "acceptance_datetime": f"{filed} 16:05:12",
                "primary_document": document,
                "primary_doc_description": form,
                "items": items,
                "is_xbrl": form != "4",
                "is_inline_xbrl": form != "4",
                **LOADED,
                "payload_path": f"sec/submissions/CIK{cik}.json",
            }
            for cik, ticker, accession, form, filed, report, document, items in rows
        ],
        date_columns=("filing_date", "report_date", "acceptance_datetime"),
    )


def good_company_facts() -> pd.DataFrame:
    rows = [
        ("us-gaap", "us-gaap:Revenues", "USD", "2024-01-01", "2024-03-31", 111_806_000.0, Q1, 2024, "Q1"),
        ("us-gaap", "us-gaap:Revenues", "USD", "2023-01-01", "2023-03-31", 35_313_000.0, Q1, 2024, "Q1"),
        (
            "clsk",
            "clsk:DigitalCurrencyMiningRevenues",
            "USD",
            "2024-01-01",
            "2024-03-31",
            111_005_000.0,
            Q1,
            2024,
            "Q1",
        ),
        ("dei", "dei:EntityCommonStockSharesOutstanding", "shares", None, "2024-05-03", 245_093_417.0, Q1, 2024, "Q1"),
        # balances are instants in US dollars
        ("us-gaap", "us-gaap:LoansPayableCurrent", "USD", None, "2024-03-31", 7_686_000.0, Q1, 2024, "Q1"),
    ]
    return frame(
        [
            {
                "cik": CLSK,
                "ticker": "CLSK",
                "taxonomy": taxonomy,
                "concept": concept,
                "unit": unit,
                "period_start": start,
                "period_end": end,
                "value": value,
                "accession_number": accession,
                "fiscal_year": fy,
                "fiscal_period": fp,
                "form": "10-Q",
                "filed": "2024-05-09",
                "frame": None,
                **LOADED,
                "payload_path": f"sec/companyfacts/CIK{CLSK}.json",
            }
            for taxonomy, concept, unit, start, end, value, accession, fy, fp in rows
        ],
        date_columns=("period_start", "period_end", "filed"),
        int_columns=("fiscal_year",),
    )


def good_revenue_facts() -> pd.DataFrame:
    axis = "srt:ProductOrServiceAxis"
    rows = [
        ("us-gaap:Revenues", "c-1", None, None, 111_806_000.0, False),
        ("us-gaap:Revenues", "c-7", axis, "clsk:BitcoinMiningRevenueMember", 111_005_000.0, False),
        ("us-gaap:Revenues", "c-8", axis, "clsk:OtherRevenueMember", 801_000.0, False),
        ("clsk:DigitalCurrencyMiningRevenues", "c-9", None, None, None, True),  # xsi:nil: no value, and that is fine
    ]
    return frame(
        [
            {
                "cik": CLSK,
                "ticker": "CLSK",
                "accession_number": Q1,
                "document": "clsk-20240331.htm",
                "concept": concept,
                "context_id": context,
                "period_start": "2024-01-01",
                "period_end": "2024-03-31",
                "dimensions": f"{axis}={member}" if member else None,
                "dimension_count": 1 if member else 0,
                "axis": axis,
                "member": member,
                "unit": "USD",
                "decimals": "-3",
                "scale": 3,
                "sign": 1,
                "formatted": None if nil else f"{value / 1000:,.0f}",
                "value": value,
                "is_nil": nil,
                "fact_id": f"f-{context}",
                **LOADED,
                "payload_path": "sec/archives/827876/000082787624000123/clsk-20240331.htm",
            }
            for concept, context, axis, member, value, nil in rows
        ],
        date_columns=("period_start", "period_end"),
        int_columns=("dimension_count", "scale", "sign"),
    )


def good_revenue_mix() -> pd.DataFrame:
    rows = [
        # ticker, fy, fq, type, start, end, total, mining, hosting, hpc_ai, other, unclassified, unmapped, accession
        ("CLSK", 2024, 2, "quarter", "2024-01-01", "2024-03-31", 111.8, 111.0, 0.0, 0.0, 0.8, 0.0, None, Q1),
        ("CLSK", 2024, 3, "quarter", "2024-04-01", "2024-06-30", 104.1, 103.5, 0.0, 0.0, 0.6, 0.0, None, Q1),
        ("MARA", 2023, None, "fiscal_year", "2023-01-01", "2023-12-31", 387.5, 350.0, 37.5, 0.0, 0.0, 0.0, None, FY),
        ("MARA", 2023, 4, "quarter", "2023-10-01", "2023-12-31", 156.8, 140.0, 14.0, 2.8, 0.0, 0.0, None, FY),
    ]
    records = []
    for row in rows:
        ticker, fy, fq, period_type, start, end, total, mining, hosting, hpc_ai, other, unclassified, *rest = row
        unmapped, accession = rest
        records.append(
            {
                "ticker": ticker,
                "fiscal_year": fy,
                "fiscal_quarter": fq,
                "period_type": period_type,
                "period_start": start,
                "period_end": end,
                "total_revenue": total,
                "self_mining_revenue": mining,
                "hosting_revenue": hosting,
                "hpc_ai_revenue": hpc_ai,
                "other_revenue": other,
                "unclassified_revenue": unclassified,
                "self_mining_share": mining / total,
                "hosting_share": hosting / total,
                "hpc_ai_share": hpc_ai / total,
                "unclassified_share": unclassified / total,
                "unmapped_members": unmapped,
                "reconciliation_gap": (mining + hosting + hpc_ai + other + unclassified - total) / total,
                "reconciliation_status": "reconciled",
                "halving_era": "pre_halving",
                "has_breakdown": True,
                "revenue_concept": "us-gaap:Revenues",
                "category_axis": "srt:ProductOrServiceAxis",
                "is_derived_q4": period_type == "quarter" and fq == 4,
                "vintage_accession": accession,
                "vintage_form": "10-K" if accession == FY else "10-Q",
                "vintage_filing_date": "2024-05-09",
                "known_from": "2024-05-09",
                "first_reported_accession": accession,
                "is_restated": False,
            }
        )
    return frame(
        records,
        date_columns=("period_start", "period_end", "vintage_filing_date", "known_from"),
        int_columns=("fiscal_year", "fiscal_quarter"),
    )


def good_revenue_mix_vintages() -> pd.DataFrame:
    """The served mix, each period reported once: every vintage is a first report, and served."""
    return good_revenue_mix().assign(
        vintage_number=1,
        vintage_count=1,
        is_first_report=True,
        is_served=True,
        superseded_on=pd.NaT,
        restatement_kind=None,
    )


def good_capacity_exposure() -> pd.DataFrame:
    rows = []
    for ticker, ai_mw, power in (("CORZ", 200.0, 1200.0), ("WULF", 0.0, 500.0)):
        for month_end in ("2024-05-31", "2024-06-30"):
            rows.append(
                {
                    "ticker": ticker,
                    "month_end": month_end,
                    "ai_mw_contracted": ai_mw,
                    "ai_contracts_as_of": "2024-05-02" if ai_mw else None,
                    "announced_mw": 0.0,
                    "terminated_mw": 0.0,
                    "contracted_value_usd": ai_mw * 17_500_000.0,
                    "annualized_value_usd": ai_mw * 1_450_000.0,
                    "contracts": 1 if ai_mw else 0,
                    "contracts_without_value": 0,
                    "contracts_without_source": 0,
                    "counterparties": "CoreWeave" if ai_mw else None,
                    "counterparty_count": 1 if ai_mw else 0,
                    "largest_counterparty_share": 1.0 if ai_mw else None,
                    "latest_hpc_ai_share": 0.05 if ai_mw else None,
                    "hpc_ai_share_period_end": "2024-03-31",
                    "latest_beta_btc": 1.8,
                    "latest_beta_ai": 0.6,
                    "beta_session_date": month_end,
                    "energized_mw": power * 0.8,
                    "energized_as_of": "2024-03-31",
                    "energized_basis": "company",
                    "contracted_mw": power,
                    "contracted_as_of": "2024-03-31",
                    "contracted_basis": "company",
                    "hashrate_ehs": 20.0,
                    "hashrate_as_of": "2024-04-30",
                    "power_mw": power,
                    "power_as_of_date": "2024-03-31",
                    "power_basis": "contracted",
                    "ai_power_mw": ai_mw / 0.75,
                    "is_ai_beyond_cited_power": False,
                    "share_of_power_ai": ai_mw / power,
                    "share_of_power_capacity": ai_mw / 0.75 / power,
                }
            )
    return frame(
        rows,
        date_columns=(
            "month_end",
            "ai_contracts_as_of",
            "hpc_ai_share_period_end",
            "beta_session_date",
            "energized_as_of",
            "contracted_as_of",
            "hashrate_as_of",
            "power_as_of_date",
        ),
    )


def good_pivot_scenarios() -> pd.DataFrame:
    rows = []
    for ticker, power in (("CLSK", 800.0), ("MARA", 1100.0)):
        for share in (0.1, 0.25, 0.5):
            it_mw = power * share * 0.75
            rows.append(
                {
                    "scenario_set": "ev_multiple",
                    "ticker": ticker,
                    "share_of_power_moved": share,
                    "margin": None,
                    "discount_rate": None,
                    "gpu_capex_usd_per_mw": None,
                    "power_mw": power,
                    "power_mw_moved": power * share,
                    "capacity_basis": "energized",
                    "power_as_of_date": "2024-03-31",
                    "it_mw_moved": it_mw,
                    "usd_per_it_mw_year": 1_450_000.0,
                    "rate_basis": "universe contracts",
                    "incremental_annual_revenue_usd": it_mw * 1_450_000.0,
                    "valuation_multiple": 10.0,
                    "valuation_uplift_usd": it_mw * 1_450_000.0 * 10.0,
                    "in_dcf_universe": None,
                    "capex_usd": None,
                    "npv_usd": None,
                }
            )
        for margin, rate, gpu in ((0.3, 0.12, 15e6), (0.4, 0.1, 0.0)):  # the VanEck DCF preset: no contract rate
            moved = power * 0.2
            rows.append(
                {
                    "scenario_set": "vaneck_2024_dcf",
                    "ticker": ticker,
                    "share_of_power_moved": 0.2,
                    "margin": margin,
                    "discount_rate": rate,
                    "gpu_capex_usd_per_mw": gpu,
                    "power_mw": power,
                    "power_mw_moved": moved,
                    "capacity_basis": "company",
                    "power_as_of_date": "2024-03-31",
                    "it_mw_moved": None,
                    "usd_per_it_mw_year": None,
                    "rate_basis": None,
                    "incremental_annual_revenue_usd": moved * 9.11e6,
                    "valuation_multiple": None,
                    "valuation_uplift_usd": None,
                    "in_dcf_universe": True,
                    "capex_usd": moved * (7.5e6 + gpu),
                    "npv_usd": moved * 9.11e6 * margin * 6.0 - moved * (7.5e6 + gpu),
                }
            )
    return frame(rows, date_columns=("power_as_of_date",))


def good_balance_sheet_facts() -> pd.DataFrame:
    """CleanSpark's 10-Q for 2024-03-31 as read: the cover's shares, cash with restricted cash, both debt lines."""
    rows = [
        ("dei:EntityCommonStockSharesOutstanding", "c-2", "2024-05-08", "shares", 227_870_260.0, None),
        (
            "us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents",
            "c-3",
            "2024-03-31",
            "USD",
            323_052_000.0,
            None,
        ),
        ("us-gaap:LoansPayableCurrent", "c-3", "2024-03-31", "USD", 7_686_000.0, None),
        ("us-gaap:LongTermLoansPayable", "c-3", "2024-03-31", "USD", 5_090_000.0, None),
        ("dei:EntityCommonStockSharesOutstanding", "c-4", "2024-05-08", "shares", 1000.0, "us-gaap:CommonClassBMember"),
    ]
    base = good_revenue_facts().iloc[0].to_dict()
    data = [
        base
        | {
            "concept": concept,
            "context_id": context,
            "period_start": None,
            "period_end": end,
            "unit": unit,
            "value": value,
            "formatted": f"{value:,.0f}",
            "dimensions": f"us-gaap:StatementClassOfStockAxis={member}" if member else None,
            "dimension_count": 1 if member else 0,
            "axis": "us-gaap:StatementClassOfStockAxis" if member else None,
            "member": member,
        }
        for concept, context, end, unit, value, member in rows
    ]
    return frame(data, date_columns=("period_start", "period_end"), int_columns=("dimension_count", "scale", "sign"))


GOOD = {
    "raw_sec_filings": good_filings,
    "raw_sec_company_facts": good_company_facts,
    "raw_sec_revenue_facts": good_revenue_facts,
    "raw_sec_balance_sheet_facts": good_balance_sheet_facts,
    "mart_revenue_mix": good_revenue_mix,
    "mart_revenue_mix_vintages": good_revenue_mix_vintages,
    "mart_ai_capacity_exposure": good_capacity_exposure,
    "mart_ai_pivot_scenarios": good_pivot_scenarios,
}


def validate(suite: str, data: pd.DataFrame) -> SuiteResult:
    return validate_table(data, suite)


def key(failure: FailedExpectation) -> str:
    kwargs = failure.kwargs
    target = kwargs.get("column") or kwargs.get("column_list") or [kwargs.get("column_A"), kwargs.get("column_B")]
    if isinstance(target, list):
        target = ",".join(str(t) for t in target if t)
    return f"{failure.expectation}:{target}"


def blocking(result: SuiteResult) -> dict[str, FailedExpectation]:
    return {key(f): f for f in result.blocking_failures}


def warned(result: SuiteResult) -> dict[str, FailedExpectation]:
    return {key(f): f for f in result.warnings}


def only_blocking(result: SuiteResult, expected: str) -> FailedExpectation:
    """The one expectation the broken frame must fail, and nothing else."""
    assert not result.success, result.summary()
    assert set(blocking(result)) == {expected}, result.summary()
    assert result.warnings == [], result.summary()
    return blocking(result)[expected]


@pytest.mark.parametrize("suite", list(GOOD))
def test_good_frame_passes_without_warnings(suite: str):
    result = validate(suite, GOOD[suite]())
    assert result.success, result.summary()
    assert result.failed == [], result.summary()
    assert result.evaluated >= 8


def test_an_empty_table_fails():
    result = validate("raw_sec_filings", good_filings().iloc[0:0])
    assert "expect_table_row_count_to_be_between:" in blocking(result), result.summary()


# --- raw_sec_filings ------------------------------------------------------------------------------------------


def test_filings_duplicate_accession_fails_the_grain():
    data = good_filings()
    failure = only_blocking(
        validate("raw_sec_filings", pd.concat([data, data.iloc[[0]]], ignore_index=True)),
        "expect_compound_columns_to_be_unique:cik,accession_number",
    )
    assert failure.unexpected_count == 2


def test_filings_malformed_accession_fails_and_names_it():
    data = good_filings()
    data.loc[2, "accession_number"] = "0001507605-24-00001"
    failure = only_blocking(validate("raw_sec_filings", data), "expect_column_values_to_match_regex:accession_number")
    assert failure.sample == [{"cik": MARA, "accession_number": "0001507605-24-00001"}]


def test_filings_local_file_accession_is_accepted():
    data = good_filings()
    data.loc[3, ["accession_number", "source"]] = ["local-0123456789abcdef", "files"]
    assert validate("raw_sec_filings", data).failed == []


def test_filings_filed_before_the_period_ends_fails():
    data = good_filings()
    data.loc[0, "filing_date"] = pd.Timestamp("2024-03-30")
    only_blocking(
        validate("raw_sec_filings", data), "expect_column_pair_values_a_to_be_greater_than_b:filing_date,report_date"
    )


# --- raw_sec_company_facts ------------------------------------------------------------------------------------


def test_company_facts_duplicate_fails_the_grain():
    data = good_company_facts()
    only_blocking(
        validate("raw_sec_company_facts", pd.concat([data, data.iloc[[1]]], ignore_index=True)),
        "expect_compound_columns_to_be_unique:cik,concept,unit,period_start,period_end,accession_number",
    )


def test_company_facts_period_ending_before_it_starts_fails():
    data = good_company_facts()
    data.loc[0, "period_end"] = pd.Timestamp("2023-12-31")
    failure = only_blocking(
        validate("raw_sec_company_facts", data),
        "expect_column_pair_values_a_to_be_greater_than_b:period_end,period_start",
    )
    assert failure.unexpected_count == 1


def test_company_facts_revenue_without_a_start_fails_but_shares_may_be_instants():
    data = good_company_facts()
    data.loc[2, "period_start"] = pd.NaT
    failure = only_blocking(validate("raw_sec_company_facts", data), "expect_column_values_to_not_be_null:period_start")
    assert failure.unexpected_count == 1
    assert failure.sample[0]["concept"] == "clsk:DigitalCurrencyMiningRevenues"


def test_company_facts_foreign_currency_only_warns():
    data = good_company_facts()
    data.loc[0, "unit"] = "EUR"
    result = validate("raw_sec_company_facts", data)
    assert result.success, result.summary()
    assert list(warned(result)) == ["expect_column_values_to_be_in_set:unit"]


# --- raw_sec_revenue_facts ------------------------------------------------------------------------------------


def test_revenue_facts_duplicate_fails_the_grain():
    data = good_revenue_facts()
    only_blocking(
        validate("raw_sec_revenue_facts", pd.concat([data, data.iloc[[1]]], ignore_index=True)),
        "expect_compound_columns_to_be_unique:accession_number,concept,context_id,unit",
    )


def test_revenue_facts_non_nil_fact_without_value_fails():
    data = good_revenue_facts()
    data.loc[1, "value"] = None
    failure = only_blocking(validate("raw_sec_revenue_facts", data), "expect_column_values_to_not_be_null:value")
    assert failure.unexpected_count == 1
    sample = failure.sample[0]  # the grain, plus the failing column itself
    assert {k: sample[k] for k in ("accession_number", "concept", "context_id")} == {
        "accession_number": Q1,
        "concept": "us-gaap:Revenues",
        "context_id": "c-7",
    }


def test_revenue_facts_nil_fact_without_value_passes():
    data = good_revenue_facts()
    data.loc[1, ["value", "is_nil"]] = [None, True]
    assert validate("raw_sec_revenue_facts", data).failed == []


def test_revenue_facts_as_real_filings_hold_them_pass():
    """What a real filing legitimately contains never blocks: dbt excludes it from the mix, with a reason."""
    data = good_revenue_facts()
    data.loc[0, "unit"] = "customer"  # riot:NumberOfCustomers...Revenue
    data.loc[1, "period_start"] = None  # an instant (a deferred revenue balance)
    data.loc[2, "period_start"] = data.loc[2, "period_end"]  # a one-day subsequent-event amount
    data.loc[3, "scale"] = -2  # a percentage of revenue
    result = validate("raw_sec_revenue_facts", data)
    assert not result.blocking_failures, result.summary()


def test_revenue_facts_ending_before_they_start_fail():
    data = good_revenue_facts()
    data.loc[0, "period_start"] = data.loc[0, "period_end"] + pd.Timedelta(days=1)
    only_blocking(
        validate("raw_sec_revenue_facts", data),
        "expect_column_pair_values_a_to_be_greater_than_b:period_end,period_start",
    )


def test_revenue_facts_without_unit_fail():
    data = good_revenue_facts()
    data.loc[0, "unit"] = None
    failure = only_blocking(validate("raw_sec_revenue_facts", data), "expect_column_values_to_not_be_null:unit")
    assert failure.sample[0]["context_id"] == "c-1"


def test_revenue_facts_impossible_sign_fails():
    data = good_revenue_facts()
    data.loc[0, "sign"] = 0
    only_blocking(validate("raw_sec_revenue_facts", data), "expect_column_values_to_be_in_set:sign")


# --- mart_revenue_mix -----------------------------------------------------------------------------------------


def test_revenue_mix_marked_reconciled_that_does_not_reconcile_blocks():
    data = good_revenue_mix()
    data.loc[1, "reconciliation_gap"] = 0.01
    failure = only_blocking(validate("mart_revenue_mix", data), "expect_column_values_to_be_between:reconciliation_gap")
    assert failure.sample[0]["ticker"] == "CLSK"
    assert failure.sample[0]["period_end"].startswith("2024-06-30")


def test_revenue_mix_flagged_quarter_warns_and_is_named():
    """A quarter flagged with its reason is published (a warning with the quarter named), never silently."""
    data = good_revenue_mix()
    data.loc[3, ["reconciliation_gap", "reconciliation_status", "other_revenue", "hpc_ai_share"]] = [
        0.0,
        "q4_category_bases_differ",
        -3.0,
        1.02,
    ]
    result = validate("mart_revenue_mix", data)
    assert result.blocking_failures == [], result.summary()
    warnings = warned(result)
    flagged = warnings["expect_column_values_to_be_in_set:reconciliation_status"]
    assert flagged.sample[0]["ticker"] == "MARA"
    assert flagged.sample[0]["reconciliation_status"] == "q4_category_bases_differ"
    assert "expect_column_values_to_be_between:hpc_ai_share" in warnings  # a share above 1: plausibility


def test_revenue_mix_vintage_without_a_known_date_warns_and_is_named():
    """A vintage no date is known for (a local file without a dated cover) is published, left out of every
    point-in-time query, and named."""
    data = good_revenue_mix_vintages()
    data.loc[2, "known_from"] = pd.NaT
    result = validate("mart_revenue_mix_vintages", data)
    assert result.blocking_failures == [], result.summary()
    unknown = warned(result)["expect_column_values_to_not_be_null:known_from"]
    assert unknown.unexpected_count == 1
    assert unknown.sample[0]["vintage_accession"] == data.loc[2, "vintage_accession"]


def test_revenue_mix_vintage_marked_reconciled_that_does_not_reconcile_blocks():
    data = good_revenue_mix_vintages()
    data.loc[1, "reconciliation_gap"] = 0.01
    suite = "mart_revenue_mix_vintages"
    only_blocking(validate(suite, data), "expect_column_values_to_be_between:reconciliation_gap")


def test_revenue_mix_unmapped_members_warn_and_are_named():
    data = good_revenue_mix()
    data.loc[0, ["unclassified_share", "unmapped_members"]] = [0.02, "clsk:CloudComputingServicesMember"]
    result = validate("mart_revenue_mix", data)
    assert result.success, result.summary()  # a warning: it does not block the marts downstream
    assert result.blocking_failures == []
    warning = warned(result)["expect_column_values_to_be_between:unclassified_share"]
    assert len(result.warnings) == 1
    assert warning.severity == "warning"
    assert warning.unexpected_count == 1
    assert warning.sample[0]["ticker"] == "CLSK"
    assert warning.sample[0]["unmapped_members"] == "clsk:CloudComputingServicesMember"
    assert "[warning] expect_column_values_to_be_between(unclassified_share)" in result.summary()


# --- mart_ai_capacity_exposure --------------------------------------------------------------------------------


def test_capacity_contract_without_source_blocks():
    data = good_capacity_exposure()
    data.loc[1, "contracts_without_source"] = 1
    failure = only_blocking(
        validate("mart_ai_capacity_exposure", data), "expect_column_values_to_be_between:contracts_without_source"
    )
    assert failure.sample[0]["ticker"] == "CORZ"
    assert failure.sample[0]["month_end"].startswith("2024-06-30")


@pytest.mark.parametrize("column", ["share_of_power_ai", "share_of_power_capacity"])
def test_capacity_share_of_power_above_one_blocks(column: str):
    data = good_capacity_exposure()
    data.loc[0, column] = 1.3
    failure = only_blocking(validate("mart_ai_capacity_exposure", data), f"expect_column_values_to_be_between:{column}")
    assert failure.sample[0]["ticker"] == "CORZ"


@pytest.mark.parametrize("column", ["energized_mw", "contracted_mw", "ai_mw_contracted", "hashrate_ehs"])
def test_capacity_negative_mw_blocks(column: str):
    data = good_capacity_exposure()
    data.loc[2, column] = -1.0
    only_blocking(validate("mart_ai_capacity_exposure", data), f"expect_column_values_to_be_between:{column}")


def test_capacity_figure_dated_after_its_month_blocks():
    data = good_capacity_exposure()
    data.loc[0, "energized_as_of"] = pd.Timestamp("2024-06-01")  # after the 2024-05-31 month end: look-ahead
    failure = only_blocking(
        validate("mart_ai_capacity_exposure", data),
        "expect_column_pair_values_a_to_be_greater_than_b:month_end,energized_as_of",
    )
    assert failure.unexpected_count == 1


def test_capacity_implausible_figures_only_warn():
    data = good_capacity_exposure()
    data.loc[0, "energized_mw"] = 6000.0
    data.loc[1, "hashrate_ehs"] = 400.0
    result = validate("mart_ai_capacity_exposure", data)
    assert result.success, result.summary()
    assert set(warned(result)) == {
        "expect_column_values_to_be_between:energized_mw",
        "expect_column_values_to_be_between:hashrate_ehs",
    }


# --- mart_ai_pivot_scenarios ----------------------------------------------------------------------------------


def test_pivot_negative_revenue_blocks():
    data = good_pivot_scenarios()
    row = (data["ticker"] == "MARA") & (data["scenario_set"] == "vaneck_2024_dcf") & (data["margin"] == 0.3)
    data.loc[row, "incremental_annual_revenue_usd"] = -1.0
    failure = only_blocking(
        validate("mart_ai_pivot_scenarios", data), "expect_column_values_to_be_between:incremental_annual_revenue_usd"
    )
    assert failure.sample == [
        {
            "incremental_annual_revenue_usd": -1.0,
            "scenario_set": "vaneck_2024_dcf",
            "ticker": "MARA",
            "share_of_power_moved": 0.2,
            "margin": 0.3,
            "discount_rate": 0.12,
            "gpu_capex_usd_per_mw": 15e6,
        }
    ]


def test_pivot_dcf_without_a_grid_key_blocks():
    data = good_pivot_scenarios()
    data.loc[data["scenario_set"] == "vaneck_2024_dcf", "margin"] = None
    failures = blocking(validate("mart_ai_pivot_scenarios", data))
    assert "expect_column_values_to_not_be_null:margin" in failures


def test_pivot_dcf_in_universe_without_an_npv_blocks():
    data = good_pivot_scenarios()
    data.loc[data["scenario_set"] == "vaneck_2024_dcf", "npv_usd"] = None
    only_blocking(validate("mart_ai_pivot_scenarios", data), "expect_column_values_to_not_be_null:npv_usd")


def test_pivot_dcf_implausible_values_only_warn():
    data = good_pivot_scenarios()
    index = data.index[data["scenario_set"] == "vaneck_2024_dcf"][0]
    data.loc[index, "npv_usd"] = 9e10
    data.loc[index, "power_mw_moved"] = 5000.0
    result = validate("mart_ai_pivot_scenarios", data)
    assert result.success, result.summary()
    assert set(warned(result)) == {
        "expect_column_values_to_be_between:npv_usd",
        "expect_column_values_to_be_between:power_mw_moved",
    }


def test_pivot_without_a_rate_blocks():
    data = good_pivot_scenarios()
    data.loc[0, "usd_per_it_mw_year"] = None
    only_blocking(validate("mart_ai_pivot_scenarios", data), "expect_column_values_to_not_be_null:usd_per_it_mw_year")


def test_fixture_frames_have_the_dtypes_duckdb_gives():
    """Guard the fixtures themselves: the frames look like DuckDB's `.df()`."""
    data = good_filings()
    assert str(data["filing_date"].dtype) == "datetime64[us]"
    assert data["report_date"].isna().sum() == 1
    assert isinstance(data.loc[0, "loaded_at"], datetime)
    assert str(good_revenue_mix()["fiscal_quarter"].dtype) == "Int32"


# --- raw_sec_balance_sheet_facts -------------------------------------------------------------------------------


def test_balance_sheet_facts_of_an_unknown_concept_block():
    data = good_balance_sheet_facts()
    data.loc[1, "concept"] = "us-gaap:OperatingLeaseLiability"  # a lease is not debt: the reader never keeps it
    only_blocking(validate("raw_sec_balance_sheet_facts", data), "expect_column_values_to_be_in_set:concept")


def test_balance_sheet_facts_in_another_currency_or_negative_warn():
    data = good_balance_sheet_facts()
    data.loc[1, "unit"] = "CAD"
    data.loc[2, "value"] = -1.0
    result = validate("raw_sec_balance_sheet_facts", data)
    assert result.blocking_failures == [], result.summary()
    assert set(warned(result)) == {
        "expect_column_values_to_be_in_set:unit",
        "expect_column_values_to_be_between:value",
    }
