"""Dagster definitions, grouped by concern."""
