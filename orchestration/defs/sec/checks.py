"""Checks on the raw SEC assets beside their GE gates (defs/quality/gates.py): items that failed to load."""

import dagster as dg

from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.defs.sec.assets import SEC_ASSETS


def load_errors_check(asset_key: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name="load_errors",
        blocking=False,
        pool=WAREHOUSE_POOL,
        description="Companies or filings that could not be loaded (kept in raw.sec_load_errors until they load): "
        "a warning, since everything else did load.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as connection:
            # select *: a warehouse made before payload_path was added lacks it until an SEC asset runs again
            cursor = connection.execute(
                "select * from raw.sec_load_errors where asset = ? order by cik, accession_number", [asset_key]
            )
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        fields = {"cik": "cik", "accession_number": "accession", "document": "document", "error": "error"}
        fields |= {"run_id": "run_id", "payload_path": "payload_path"}
        errors = [{name: row.get(column) for column, name in fields.items()} for row in rows]
        return dg.AssetCheckResult(
            passed=not errors,
            severity=dg.AssetCheckSeverity.WARN,
            description=_describe(errors),
            metadata={"failed_items": len(errors), "errors": dg.MetadataValue.json(errors[:50])},
        )

    return _check


def _describe(errors: list[dict]) -> str:
    """The items by name (document, else accession, else CIK) and why, the first few of them."""
    if not errors:
        return "everything loaded"
    shown = [f"{e['document'] or e['accession'] or e['cik']}: {e['error']}" for e in errors[:3]]
    more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
    return f"{len(errors)} items failed to load: " + "; ".join(shown) + more


sec_load_error_checks = [load_errors_check(key) for key in SEC_ASSETS]
