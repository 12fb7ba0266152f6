"""Validate a DataFrame against a stored Great Expectations 1.x suite (expectations/<name>.json).

The table's grain is not in the suite: it is declared once, in the dbt YAML (see defs/dbt/tables.py), and
added here as a critical `expect_compound_columns_to_be_unique`.

Bounds that depend on the universe are not written in a suite: the suite names a GE suite parameter
(`{"$PARAMETER": "min_tickers"}`) and `suite_parameters` derives its value from the seeds, so a user who trims
the miners seed keeps bounds that fit it.

GE is imported lazily (it costs seconds) and its context built once per process. DataFrames are read
from DuckDB and validated with the pandas datasource: GE's SQL route over duckdb-engine gives wrong
results.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.paths import EXPECTATIONS_DIR
from orchestration.universe import Universe, load_universe

SAMPLE_SIZE = 5
# The factor roles every return regression and event study needs (the sector factor is optional).
REQUIRED_FACTOR_ROLES = ("btc", "ai", "market")


@dataclass
class FailedExpectation:
    expectation: str
    kwargs: dict[str, Any]
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: Any
    sample: list[Any] = field(default_factory=list)
    severity: str = "critical"  # GE's FailureSeverity: critical blocks, warning and info only report

    def describe(self) -> str:
        target = self.kwargs.get("column") or self.kwargs.get("column_list") or ""
        count = f", {self.unexpected_count} unexpected" if self.unexpected_count is not None else ""
        observed = f", observed {self.observed_value!r}" if self.observed_value is not None else ""
        level = "" if self.blocks else f"[{self.severity}] "
        return f"{level}{self.expectation}({target}){count}{observed}{self._first_row()}"

    def _first_row(self) -> str:
        """The first sample row's identifying values, so a warning names what it is about."""
        row = self.sample[0] if self.sample else None
        if not isinstance(row, dict):
            return ""
        values = ", ".join(f"{k}={str(v).removesuffix(' 00:00:00')}" for k, v in row.items() if not _missing(v))
        return f" (e.g. {values})" if values else ""

    @property
    def blocks(self) -> bool:
        return self.severity == "critical"


@dataclass
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    rows: int
    failed: list[FailedExpectation]

    @property
    def blocking_failures(self) -> list[FailedExpectation]:
        return [f for f in self.failed if f.blocks]

    @property
    def warnings(self) -> list[FailedExpectation]:
        return [f for f in self.failed if not f.blocks]

    def summary(self) -> str:
        if not self.failed:
            return f"{self.suite}: {self.evaluated} expectations passed on {self.rows} rows"
        return f"{self.suite}: {len(self.failed)} of {self.evaluated} expectations failed: " + "; ".join(
            f.describe() for f in self.failed
        )


def suite_path(name: str, folder: Path = EXPECTATIONS_DIR) -> Path:
    return folder / f"{name}.json"


@cache
def _context():
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _release(batch: Any) -> None:
    """Drop the batch's frame from the caches of its datasource's execution engine. The context lives as long as
    the process, and the engine keeps the last frame each suite validated (in a reference cycle, so until a full
    garbage collection at best): at 1,000 tickers, raw_market_prices' 0.55 GiB stayed alive in the Dagster
    process through the whole dbt build, and mart_factor_exposure's through the steps after its gate."""
    manager = batch.data.execution_engine.batch_manager
    manager.batch_data_cache.clear()
    manager.reset_batch_cache()


def _severity(config: Any) -> str:
    severity = getattr(config, "severity", None)
    return str(getattr(severity, "value", severity) or "critical").lower()


def _missing(value: Any) -> bool:
    """None, or the NaN pandas gives a null in a column that also holds text or numbers."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def suite_parameters(universe: Universe | None = None) -> dict[str, Any]:
    """The suites' parameters, from the universe seeds (miners and factors), never from the shipped universe's
    size: the factor tickers betas need, and the fewest tickers a market-data load may hold (every factor
    ticker and a third of the companies, at least one: 10 of the shipped 4 factors and 17 companies)."""
    universe = universe or load_universe()
    companies = len(universe.miners)
    factors = universe.factors
    return {
        "required_factor_tickers": sorted({factors[role] for role in REQUIRED_FACTOR_ROLES if role in factors}),
        "min_tickers": len(universe.tickers) - companies + max(1, math.ceil(companies / 3)),
    }


def load_suite(suite_name: str, grain: Sequence[str] = (), folder: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The stored suite, plus the grain's uniqueness when a grain is given."""
    suite = json.loads(suite_path(suite_name, folder).read_text())
    if grain:  # GE's compound expectation needs two columns or more: a one-column grain is a column's uniqueness
        unique = (
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": grain[0]}}
            if len(grain) == 1
            else {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": list(grain)}}
        )
        suite["expectations"].append({**unique, "meta": {"why": "the grain declared in the dbt YAML"}})
    return suite


def validate_frame(
    frame: pd.DataFrame,
    suite_name: str,
    grain: Sequence[str] = (),
    shown_with: Sequence[str] = (),
    folder: Path = EXPECTATIONS_DIR,
    parameters: Mapping[str, Any] | None = None,
) -> SuiteResult:
    """Run the suite and the grain's uniqueness on `frame`; failures carry counts and sample rows (named by
    their grain's values and the `shown_with` columns). `parameters` default to `suite_parameters()`."""
    import great_expectations as gx

    context = _context()
    suite = gx.ExpectationSuite(**load_suite(suite_name, grain, folder))
    datasource = context.data_sources.add_or_update_pandas(name=f"gate_{suite_name}")
    asset = datasource.add_dataframe_asset(name=suite_name)
    batch_definition = asset.add_batch_definition_whole_dataframe(name="whole")
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    if grain or shown_with:
        result_format["unexpected_index_column_names"] = [*grain, *shown_with]
    parameters = dict(suite_parameters() if parameters is None else parameters)
    try:
        validation = batch.validate(suite, result_format=result_format, expectation_parameters=parameters)
    finally:
        _release(batch)
    failed = []
    for item in validation.results:
        if item.success:
            continue
        result = item.result or {}
        sample = result.get("partial_unexpected_index_list") or result.get("partial_unexpected_list") or []
        failed.append(
            FailedExpectation(
                expectation=item.expectation_config.type,
                kwargs={k: v for k, v in item.expectation_config.kwargs.items() if k != "batch_id"},
                unexpected_count=result.get("unexpected_count"),
                unexpected_percent=result.get("unexpected_percent"),
                observed_value=_json_safe(result.get("observed_value")),
                sample=_json_safe(sample[:SAMPLE_SIZE]),
                severity=_severity(item.expectation_config),
            )
        )
    return SuiteResult(
        suite=suite_name,
        success=not any(f.blocks for f in failed),
        evaluated=len(validation.results),
        rows=len(frame),
        failed=failed,
    )
