"""Shares, cash and debt on the snapshot: the planted balance sheets come back per filing, and market value is
point in time (no filing is used before its filing date)."""

import json

from orchestration.sources.sec.source import SEC_SNAPSHOT_DIR
from tests.pipeline_run import PipelineRun


def test_planted_balance_sheets_are_recovered_exactly(pipeline: PipelineRun):
    planted = json.loads((SEC_SNAPSHOT_DIR / "planted_truth.json").read_text())["balance_sheets"]
    rows = pipeline.query("select * from intermediate.int_company_balance_sheet")
    got = {row["accession_number"]: row for row in rows.to_dict("records")}
    assert len(planted) > 200 and set(got) == {row["accession"] for row in planted}
    for truth in planted:
        row = got[truth["accession"]]
        assert row["known_from"].date().isoformat() == truth["filing_date"], truth
        assert row["shares_outstanding"] == truth["shares_outstanding"], truth
        assert row["shares_as_of"].date().isoformat() == truth["shares_as_of"], truth
        assert row["share_classes"] == truth["share_classes"], truth
        if truth["balance_sheet_date"] is None:  # IFRS filings: no balance sheet planted
            assert row["cash"] != row["cash"] or row["cash"] is None, truth
            continue
        assert row["balance_sheet_date"].date().isoformat() == truth["balance_sheet_date"], truth
        assert (row["cash"], row["cash_concept"]) == (truth["cash"], truth["cash_concept"]), truth
        assert (row["debt"], row["debt_rule"]) == (truth["debt"], truth["debt_rule"]), truth


def test_market_value_uses_only_filings_known_by_each_date(pipeline: PipelineRun):
    late = pipeline.query(
        "select count(*) as n from intermediate.int_market_value_by_month"
        " where shares_known_from > as_of_date or balance_sheet_known_from > as_of_date or price_date > as_of_date"
    )
    assert late["n"][0] == 0
    arithmetic = pipeline.query(
        "select count(*) as n, count(*) filter (where"
        " abs(enterprise_value - (close * shares_outstanding + debt - cash)) > 1e-6 * abs(enterprise_value) + 1)"
        " as wrong from intermediate.int_market_value_by_month"
        " where enterprise_value is not null"
    )
    assert arithmetic["n"][0] > 500 and arithmetic["wrong"][0] == 0


def test_every_us_gaap_filer_has_a_latest_enterprise_value(pipeline: PipelineRun):
    latest = pipeline.query(
        "select ticker, market_cap, enterprise_value, debt_rule from intermediate.int_market_value_by_month"
        " where as_of_kind = 'latest'"
    ).set_index("ticker")
    assert (latest["market_cap"] > 0).all()
    ifrs_only = {"BITF", "BTDR", "HIVE"}  # 20-F/40-F filers: shares from the cover, no balance sheet planted
    assert set(latest.index[latest["enterprise_value"].isna()]) == ifrs_only
    assert latest.loc["WULF", "debt_rule"] == "total" and latest.loc["BTBT", "debt_rule"] == "none_tagged"
