"""What the tests expect of the definitions, in one place: the assets guarded by a blocking GE gate."""

RAW_GATED = ("raw_market_prices", "raw_sec_filings", "raw_sec_company_facts", "raw_sec_revenue_facts")
MART_GATED = (
    "mart_factor_exposure",
    "mart_event_reactions",
    "mart_revenue_mix",
    "mart_revenue_facts",
    "mart_ai_capacity_exposure",
    "mart_ai_pivot_scenarios",
)
GATED_ASSETS = frozenset(RAW_GATED + MART_GATED)
