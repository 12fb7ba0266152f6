"""A failed step's root cause, in one line: what the CLI prints and what publish records as a stale reason.

Dagster wraps an exception raised in an asset (`DagsterExecutionStepExecutionError: Error occurred while
executing op "...":`); the innermost exception of the chain is the one that says what went wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Dagster's error record on step failures (not part of its public API)
    from dagster._utils.error import SerializableErrorInfo


def innermost(error: SerializableErrorInfo) -> SerializableErrorInfo:
    """The end of the `raise ... from ...` chain (Dagster's wrapper raises from the asset's exception)."""
    while error.cause is not None:
        error = error.cause
    return error


def root_cause(error: SerializableErrorInfo) -> str:
    """`Type: message` of the innermost exception (its module path dropped), on one line."""
    cause = innermost(error)
    message = " ".join(cause.message.split())
    qualified, separator, text = message.partition(": ")
    if separator and cause.cls_name and qualified.rsplit(".", 1)[-1] == cause.cls_name:
        message = f"{cause.cls_name}: {text}"
    return message
