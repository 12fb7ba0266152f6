"""A console logger for runs started from the `miners` CLI: one line per step, check failure and asset.

Dagster's default console logger prints every event at DEBUG level (thousands of lines for a
multi-year backfill); this one prints what a person follows: steps starting and finishing with their
duration, each asset built (once per step, not once per partition), failed checks, warnings and errors.
"""

import logging
import sys
import time

import dagster as dg

# dagster-dbt says this once per dbt source test, because those are deliberately not Dagster checks.
SOURCE_TEST_NOTICE = "Logging an `AssetObservation` instead of an `AssetCheckResult` for dbt test"


class ProgressHandler(logging.Handler):
    def __init__(self, stream=None) -> None:
        super().__init__()
        self.stream = stream or sys.stdout
        self.started = time.monotonic()
        self.step_started: dict[str, float] = {}
        self.reported: set[tuple[str, str]] = set()

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", file=self.stream, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            message = meta.get("orig_message") or record.getMessage()
            if message.startswith(SOURCE_TEST_NOTICE):
                return  # dbt source tests run as plain dbt tests on purpose (see defs/dbt/assets.py)
            if record.levelno >= logging.WARNING:
                self.say(f"{record.levelname.lower()}: {message}")
            elif record.levelno >= logging.INFO and meta.get("step_key"):
                self.say(f"  {meta['step_key']}: {message}")
            return
        kind, step = event.event_type_value, event.step_key or ""
        if kind == "STEP_START":
            self.step_started[step] = time.monotonic()
            self.say(f"started  {step}")
        elif kind == "STEP_SUCCESS":
            self.say(f"finished {step} in {time.monotonic() - self.step_started.get(step, self.started):.1f}s")
        elif kind == "STEP_FAILURE":
            self.say(f"FAILED   {step}: {event.step_failure_data.error.message.strip()[:500]}")
        elif kind == "STEP_SKIPPED":
            self.say(f"skipped  {step} (an upstream step or blocking check failed)")
        elif kind == "ASSET_MATERIALIZATION":
            asset = event.asset_key.to_user_string()
            if (step, asset) not in self.reported:
                self.reported.add((step, asset))
                self.say(f"  built {asset}")
        elif kind == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if not check.passed:
                level = "GATE FAILED" if check.severity == dg.AssetCheckSeverity.ERROR else "check warning"
                self.say(f"  {level}: {check.asset_key.to_user_string()} {check.check_name}")


@dg.logger(description="Concise progress for CLI runs: steps, assets built, failed checks, warnings.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.Logger("miners_progress", level=logging.DEBUG)
    log.addHandler(ProgressHandler())
    return log
