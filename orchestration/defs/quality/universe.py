"""Seed rows about companies outside the universe: left out by the reference staging models, named here.

The miners seed is the universe. A user who trims it to the companies they follow keeps the other seeds as
shipped (contracts, power, hashrate, listings name every company of the shipped universe); the staging models
that declare `universe_column` in their YAML keep only the universe's rows (defs/dbt/tables.py). Leaving rows
out is not a failure, so the check `outside_universe` on each such model is a warning that names them: the
run's output says what the marts do not hold.
"""

import dagster as dg

from orchestration.defs.dbt.tables import UniverseFilter, universe_filters
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource


def describe_left_out(seed: str, counts: list[tuple[str, int]]) -> str:
    """`seed x: n rows left out, tickers not in the miners seed: A (2), B (1)`, or that none were."""
    if not counts:
        return f"seed {seed}: every row names a company of the miners seed"
    rows = sum(n for _, n in counts)
    named = ", ".join(f"{ticker} ({n})" for ticker, n in counts)
    return f"seed {seed}: {rows} rows left out, their tickers are not in the miners seed: {named}"


def outside_universe_check(table: UniverseFilter) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table.asset_key,
        name="outside_universe",
        blocking=False,
        pool=WAREHOUSE_POOL,
        description=f"Rows of seed {table.seed} whose {table.column} is not in the miners seed, which "
        f"{table.asset_key} leaves out: a warning naming them (a trimmed universe is not an error).",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as connection:
            counts = connection.execute(
                f"select {table.column}, count(*) from {table.seed_relation}"  # noqa: S608 - names from dbt's manifest
                f" where {table.column} not in (select ticker from {table.universe_relation})"
                f" group by all order by 1"
            ).fetchall()
        return dg.AssetCheckResult(
            passed=not counts,
            severity=dg.AssetCheckSeverity.WARN,
            description=describe_left_out(table.seed, counts),
            metadata={
                "rows_left_out": sum(n for _, n in counts),
                "tickers_left_out": dg.MetadataValue.json({ticker: n for ticker, n in counts}),
            },
        )

    return _check


universe_checks = [outside_universe_check(table) for table in universe_filters()]
