"""The Dagster instance the project ships: its dagster.yaml and the storage it names."""
