"""Gates on the marts: GE suites that must pass before anything downstream of a mart runs."""

from orchestration.defs.quality.gates import gate_check

mart_factor_exposure_gate = gate_check(
    "mart_factor_exposure", "marts.mart_factor_exposure", id_columns=["ticker", "session_date", "window_size"]
)
mart_event_reactions_gate = gate_check(
    "mart_event_reactions", "marts.mart_event_reactions", id_columns=["ticker", "event_id"]
)
mart_revenue_mix_gate = gate_check(
    "mart_revenue_mix",
    "marts.mart_revenue_mix",
    id_columns=["ticker", "period_start", "period_end", "reconciliation_status", "unmapped_members"],
)
mart_revenue_facts_gate = gate_check(
    "mart_revenue_facts",
    "marts.mart_revenue_facts",
    id_columns=["ticker", "accession_number", "concept", "context_id", "exclusion_reason"],
)
mart_ai_capacity_exposure_gate = gate_check(
    "mart_ai_capacity_exposure", "marts.mart_ai_capacity_exposure", id_columns=["ticker", "month_end"]
)
mart_ai_pivot_scenarios_gate = gate_check(
    "mart_ai_pivot_scenarios", "marts.mart_ai_pivot_scenarios", id_columns=["ticker", "share_of_power_moved"]
)

mart_gates = [
    mart_factor_exposure_gate,
    mart_event_reactions_gate,
    mart_revenue_mix_gate,
    mart_revenue_facts_gate,
    mart_ai_capacity_exposure_gate,
    mart_ai_pivot_scenarios_gate,
]
