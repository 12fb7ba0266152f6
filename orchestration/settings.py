"""The project's settings and their defaults, resolved the usual way: the environment, then the `.env` file,
then the defaults. This module is the only place a default is written.

Every entry point resolves them here: `miners` (and so `make run`, `make dev`) before Dagster starts, and the
code location when it loads (`dagster dev` started any other way, run workers). The resolved values are
exported to the process's environment, where the resources' `EnvVar`s, dbt's profile and child processes
read them; `EnvVar` also keeps the secret (SEC_USER_AGENT) out of run config.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dotenv import dotenv_values

from orchestration.paths import PROJECT_ROOT, resolve_data_dir

# The project's settings (.env.example says what each is for) at their offline defaults. An empty value,
# in the environment or in .env, means the default.
SETTING_DEFAULTS = {
    "MINERS_DATA_DIR": "warehouse",  # relative to the repository root
    "MINERS_SOURCE": "snapshot",
    "MINERS_CSV_DIR": "",
    "MINERS_SEC_SOURCE": "",  # empty: follows MINERS_SOURCE (see sources/sec/source.py)
    "SEC_USER_AGENT": "",
    "MINERS_SEC_FILES_DIR": "",
    "MINERS_NETWORK_SOURCE": "snapshot",
    "MINERS_NETWORK_FILES_DIR": "",
    "MINERS_HISTORY_START": "2022-01-01",  # the first market-data partition; the snapshot starts there
    # DuckDB's memory_limit in dbt's builds (its default is 80% of RAM, which a 1,000-ticker build takes):
    # past it, DuckDB spills joins, sorts and aggregates to <warehouse>.tmp. The dbt process holds about
    # 0.7 GiB besides (dbt, the Python models); at 1,000 tickers 1.5GB spills 0.7 GiB, no slower than 2GB.
    "MINERS_DBT_MEMORY_LIMIT": "1.5GB",
}

# Where the .env file is read from; MINERS_ENV_FILE (environment only) names another one.
ENV_FILE = PROJECT_ROOT / ".env"
INSTANCE_YAML = PROJECT_ROOT / "orchestration" / "instance" / "dagster.yaml"


def env_file() -> Path:
    return Path(os.environ.get("MINERS_ENV_FILE") or ENV_FILE)


def resolve_settings(environ: dict[str, str] | None = None, dotenv_path: Path | None = None) -> dict[str, str]:
    """Each setting from the environment if set there, else from the .env file, else its default.

    A setting present in the environment wins even when empty (`MINERS_CSV_DIR= make run` ignores the CSV
    folder .env names), and an empty value means the default. DAGSTER_HOME defaults to
    <warehouse>/dagster_home, so runs show in the UI.
    """
    environ = dict(os.environ if environ is None else environ)
    path = dotenv_path or env_file()
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.is_file() else {}
    resolved = {}
    for name, default in {**SETTING_DEFAULTS, "DAGSTER_HOME": ""}.items():
        resolved[name] = (environ[name] if name in environ else from_file.get(name, "")) or default
    if not resolved["DAGSTER_HOME"]:
        resolved["DAGSTER_HOME"] = str(resolve_data_dir(resolved["MINERS_DATA_DIR"]) / "dagster_home")
    return resolved


def setting(name: str) -> str:
    """One setting, resolved now."""
    return resolve_settings()[name]


def project_settings() -> dict[str, str]:
    """The project's own settings, resolved (not DAGSTER_HOME: a code location loaded by Dagster keeps the
    instance it was started with)."""
    resolved = resolve_settings()
    return {name: resolved[name] for name in SETTING_DEFAULTS}


def export_settings() -> dict[str, str]:
    """Resolve the project's settings into this process's environment."""
    settings = project_settings()
    os.environ.update(settings)
    return settings


def apply_settings() -> dict[str, str]:
    """Resolve the settings into this process's environment (Dagster's EnvVar resources read them there)."""
    resolved = resolve_settings()
    os.environ.update(resolved)
    return resolved


def prepare_dagster_home() -> Path:
    """DAGSTER_HOME, given the shipped dagster.yaml (SQLite storage, the warehouse pool's limit, no telemetry)
    when it has none, or when its copy is an earlier version's (it named an event log storage this project no
    longer has, and lacks the pool's limit): for the commands that start Dagster, after `apply_settings`."""
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or "orchestration.instance.event_log" in config.read_text():
        shutil.copyfile(INSTANCE_YAML, config)
    return home


def offline_env(**settings: str) -> dict[str, str]:
    """This process's environment with every setting at its offline default, then `settings`: what a child
    `miners` or Dagster process should see whatever a developer's .env says."""
    return {**os.environ, **SETTING_DEFAULTS, **settings}
