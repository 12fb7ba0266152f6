"""Reports built from the serving file (plain Python: no Dagster here, so they test without it)."""
