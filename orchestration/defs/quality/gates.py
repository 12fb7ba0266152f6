"""Build a blocking Dagster asset check that runs a table's GE suite."""

import dagster as dg

from orchestration.defs.quality.gx_suites import suite_path, validate_frame
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource


def gate_check(asset_key: str, table: str, id_columns: list[str]) -> dg.AssetChecksDefinition:
    """`ge_gate` on `asset_key`: validates `table` with expectations/<asset_key>.json.

    A failed critical expectation blocks everything downstream; failed warning-level ones only report.
    """

    @dg.asset_check(
        asset=asset_key,
        name="ge_gate",
        blocking=True,
        pool=WAREHOUSE_POOL,  # a read-only open fails while another run writes
        description=f"Great Expectations suite expectations/{asset_key}.json on {table}; a failure blocks "
        "everything downstream.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as connection:
            frame = connection.sql(f"select * from {table}").df()  # noqa: S608 - table names are constants
        result = validate_frame(frame, asset_key, id_columns=id_columns)
        metadata: dict = {
            "suite": str(suite_path(asset_key).name),
            "rows_validated": result.rows,
            "expectations_evaluated": result.evaluated,
            "expectations_failed": len(result.failed),
            "summary": result.summary(),
        }
        if result.failed:
            metadata["failures"] = dg.MetadataValue.json(
                [
                    {
                        "expectation": f.expectation,
                        "kwargs": f.kwargs,
                        "unexpected_count": f.unexpected_count,
                        "unexpected_percent": f.unexpected_percent,
                        "observed_value": f.observed_value,
                        "sample_rows": f.sample,
                        "severity": f.severity,
                    }
                    for f in result.failed
                ]
            )
        # Warning-level expectations report (the check shows failed) without blocking downstream.
        return dg.AssetCheckResult(
            passed=not result.failed,
            severity=dg.AssetCheckSeverity.ERROR if result.blocking_failures else dg.AssetCheckSeverity.WARN,
            metadata=metadata,
            description=result.summary(),
        )

    return _check
