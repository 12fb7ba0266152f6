"""Gates on the marts: GE suites that must pass before anything downstream of a mart runs."""

from orchestration.defs.quality.gates import gate_check

mart_factor_exposure_gate = gate_check(
    "mart_factor_exposure", "marts.mart_factor_exposure", id_columns=["ticker", "session_date", "window_size"]
)
mart_event_reactions_gate = gate_check(
    "mart_event_reactions", "marts.mart_event_reactions", id_columns=["ticker", "event_id"]
)
