"""Resources: the settings (orchestration/settings.py, which the code location exports) arrive through `EnvVar`,
read when a run starts; the fields' defaults, for resources built by hand (tests), are the settings' defaults."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.paths import resolve_data_dir
from orchestration.settings import SETTING_DEFAULTS
from orchestration.sources.market import MarketSource, build_source
from orchestration.sources.network.source import NetworkSource, build_network_source
from orchestration.sources.sec.source import SecSource, build_sec_source, resolve_sec_source

# The Dagster concurrency pool of every step that opens warehouse.duckdb (DuckDB has one writer process, and a
# read-only open fails while another process writes). The shipped instance (orchestration/instance/dagster.yaml)
# limits pools to one slot, so a second run's step waits for the first's to end, however the runs started.
WAREHOUSE_POOL = "warehouse"
# What every raw asset shares in the UI.
RAW_ASSET = {"group_name": "ingest", "kinds": {"python", "duckdb"}, "owners": ["team:data-engineering"]}


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse folder (MINERS_DATA_DIR): the build DuckDB file, raw payloads, caches."""

    data_dir: str = SETTING_DEFAULTS["MINERS_DATA_DIR"]

    @property
    def root(self) -> Path:
        return resolve_data_dir(self.data_dir)

    @property
    def database_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def serving_path(self) -> Path:
        """The published DuckDB file BI tools read."""
        return self.root / "serving.duckdb"

    @property
    def parquet_dir(self) -> Path:
        """The published tables as Parquet files."""
        return self.root / "parquet"

    @contextmanager
    def connect(self, read_only: bool = False):
        """A short-lived connection: DuckDB allows one writer process, and dbt needs the file next."""
        self.root.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(self.database_path), read_only=read_only)
        try:
            yield connection
        finally:
            connection.close()


class MarketDataResource(dg.ConfigurableResource):
    """Which market-data source to use (MINERS_SOURCE: snapshot, live or csv) and its settings."""

    source: str = SETTING_DEFAULTS["MINERS_SOURCE"]
    csv_dir: str = SETTING_DEFAULTS["MINERS_CSV_DIR"]

    def build(self, cache_dir: Path) -> MarketSource:
        return build_source(self.source.strip().lower(), self.csv_dir or None, cache_dir=cache_dir)


class SecSourceResource(dg.ConfigurableResource):
    """Where SEC disclosures come from (MINERS_SEC_SOURCE) and how to reach them.

    `market_source` (MINERS_SOURCE) only matters when MINERS_SEC_SOURCE is empty: a live market source
    then makes SEC live too. `user_agent` (SEC_USER_AGENT) is required for live SEC and never logged.
    """

    source: str = SETTING_DEFAULTS["MINERS_SEC_SOURCE"]
    market_source: str = SETTING_DEFAULTS["MINERS_SOURCE"]
    user_agent: str = SETTING_DEFAULTS["SEC_USER_AGENT"]
    files_dir: str = SETTING_DEFAULTS["MINERS_SEC_FILES_DIR"]

    @property
    def source_name(self) -> str:
        return resolve_sec_source(self.source, self.market_source)

    def build(self, cache_dir: Path) -> SecSource:
        return build_sec_source(self.source_name, self.user_agent, self.files_dir or None, cache_dir=cache_dir)


class NetworkSourceResource(dg.ConfigurableResource):
    """Where the network's daily statistics come from (MINERS_NETWORK_SOURCE: snapshot, live or files) and the
    files' folder (MINERS_NETWORK_FILES_DIR)."""

    source: str = SETTING_DEFAULTS["MINERS_NETWORK_SOURCE"]
    files_dir: str = SETTING_DEFAULTS["MINERS_NETWORK_FILES_DIR"]

    @property
    def source_name(self) -> str:
        """The source as the client knows it (the setting, trimmed and lower-cased)."""
        return self.source.strip().lower()

    def build(self, cache_dir: Path) -> NetworkSource:
        return build_network_source(self.source_name, self.files_dir or None, cache_dir=cache_dir)
