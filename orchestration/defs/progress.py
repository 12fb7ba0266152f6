"""A console logger for runs started from the `miners` CLI: one line per step, check failure and warning.

Dagster's default console logger prints every event at DEBUG level (thousands of lines for a
multi-year backfill); this one prints what a person follows: one line per step when it ends, with its
duration and what it built (each asset once, not once per partition) or its check's verdict, failed gates,
warnings and errors. The logger's `verbose` config (`miners run --verbose`) also prints each step's start,
the steps' own notes, library chatter (dagster-dbt's selection and command lines, its notice per dbt source
test) and every other Dagster event.
"""

import logging
import sys
import time

import dagster as dg

from orchestration.defs.failures import root_cause
from orchestration.defs.quality.blocking import gate_blocked

# dagster-dbt says this once per dbt test it runs that is no Dagster check (one picked by indirect selection).
SOURCE_TEST_NOTICE = "Logging an `AssetObservation` instead of an `AssetCheckResult` for dbt test"
# dagster-dbt's INFO lines around each dbt command (what it selected, which command ran): shown when verbose.
LIBRARY_CHATTER = (
    SOURCE_TEST_NOTICE,
    "A dbt subsetted execution is not being performed",
    "Copying `",
    "Running dbt command",
    "Finished dbt command",
)
# The events printed in their own words below; with `verbose`, every other event is printed as it comes.
REPORTED_EVENTS = {
    "STEP_START",
    "STEP_SUCCESS",
    "STEP_FAILURE",
    "STEP_SKIPPED",
    "ASSET_MATERIALIZATION",
    "ASSET_CHECK_EVALUATION",
}
# A step that built many assets (the dbt build) names the first few on its line; verbose names them all.
BUILT_SHOWN = 3


class ProgressHandler(logging.Handler):
    def __init__(self, stream=None, verbose: bool = False) -> None:
        super().__init__()
        self.stream = stream or sys.stdout
        self.verbose = verbose
        self.started = time.monotonic()
        self.step_started: dict[str, float] = {}
        self.built: dict[str, list[str]] = {}  # step -> the assets it materialized, in order, each once
        self.verdicts: dict[str, list[str]] = {}  # step -> its checks' verdicts that did not block

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", file=self.stream, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            self.message(record, meta.get("orig_message") or record.getMessage(), meta.get("step_key"))
        else:
            self.event(event, meta.get("orig_message") or record.getMessage())

    def message(self, record: logging.LogRecord, message: str, step: str | None) -> None:
        if not self.verbose and message.startswith(LIBRARY_CHATTER):
            return
        if record.levelno >= logging.WARNING:
            self.say(f"{record.levelname.lower()}: {message}")
        elif self.verbose:
            self.say(f"  {step}: {message}" if step else message)

    def event(self, event: dg.DagsterEvent, message: str) -> None:
        kind, step = event.event_type_value, event.step_key or ""
        if kind == "STEP_START":
            self.step_started[step] = time.monotonic()
            if self.verbose:
                self.say(f"started  {step}")
        elif kind == "STEP_SUCCESS":
            self.say(f"finished {step} in {self.duration(step):.1f}s{self.outcome(step)}")
        elif kind == "STEP_FAILURE":
            built = self.outcome(step)
            # the root cause, not Dagster's wrapper ("Error occurred while executing op ...:")
            self.say(f"FAILED   {step}: {root_cause(event.step_failure_data.error)[:1000]}")
            if built:
                self.say(f"  {step}{built}")
        elif kind == "STEP_SKIPPED":
            self.say(f"skipped  {step} (an upstream step or blocking check failed)")
        elif kind == "ASSET_MATERIALIZATION":
            built = self.built.setdefault(step, [])
            asset = event.asset_key.to_user_string()
            if asset not in built:
                built.append(asset)
        elif kind == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            name = f"{check.asset_key.to_user_string()} {check.check_name}"
            if gate_blocked(check):
                self.say(f"  GATE FAILED: {name}")
            else:
                self.verdicts.setdefault(step, []).append("passed" if check.passed else f"check warning: {name}")
        elif self.verbose and kind not in REPORTED_EVENTS:
            self.say(f"  {step or 'run'}: {kind} {message}")

    def duration(self, step: str) -> float:
        return time.monotonic() - self.step_started.pop(step, self.started)

    def outcome(self, step: str) -> str:
        """What `step` did, for its line: the assets it built (a partitioned asset once, not per partition)
        and its checks' verdicts; empty when neither."""
        built, verdicts = self.built.pop(step, []), self.verdicts.pop(step, [])
        said = []
        if len(built) == 1:
            said.append(f"built {built[0]}")
        elif built:
            shown = built if self.verbose else built[:BUILT_SHOWN]
            more = f" and {len(built) - len(shown)} more" if len(built) > len(shown) else ""
            said.append(f"built {len(built)} assets ({', '.join(shown)}{more})")
        said += list(dict.fromkeys(verdicts))
        return f": {'; '.join(said)}" if said else ""


@dg.logger(
    config_schema={"verbose": dg.Field(bool, default_value=False, description="every message and event")},
    description="Concise progress for CLI runs: steps, assets built, failed checks, warnings.",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.Logger("miners_progress", level=logging.DEBUG)
    log.addHandler(ProgressHandler(verbose=init_context.logger_config["verbose"]))
    return log
