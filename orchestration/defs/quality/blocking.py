"""What a failed gate blocks, read the same way by the dbt build, publish and `miners run`.

A gate blocks in one of two ways, by what it guards:
- a mart's gate fails with ERROR severity, so Dagster runs nothing after it in that run (publish, the report);
- a raw table's gate is `blocking` too (the one dbt build waits for it), but reports a blocked failure with
  WARN severity and `blocked` in its metadata: with ERROR, Dagster would skip the whole dbt build, while the
  build instead leaves out of its selection every model built from that table (defs/dbt/assets.py), so what
  the failure does not taint still builds.
"""

import dagster as dg

GATE = "ge_gate"
BLOCKED = "blocked"  # metadata of a gate's evaluation: a critical expectation failed


def gate_blocked(evaluation: dg.AssetCheckEvaluation) -> bool:
    """Whether this evaluation of a gate (or any check) withholds what its table feeds: it failed with ERROR
    severity, or it is a raw table's gate whose critical expectations failed."""
    if evaluation.passed:
        return False
    flagged = evaluation.metadata.get(BLOCKED)
    return evaluation.severity == dg.AssetCheckSeverity.ERROR or (flagged is not None and flagged.value is True)


CHECK_HISTORY = 25  # executions looked at to find a check's latest completed one


def latest_evaluation(instance: dg.DagsterInstance, key: dg.AssetCheckKey) -> dg.EventLogEntry | None:
    """The check's latest evaluation that completed (a check planned in a run that was abandoned did not)."""
    records = instance.event_log_storage.get_asset_check_execution_history(key, limit=CHECK_HISTORY)
    return next((r.event for r in records if r.event is not None and r.event.asset_check_evaluation), None)
