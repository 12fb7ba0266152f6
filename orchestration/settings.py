"""The project's settings, resolved the usual way: the environment, then the `.env` file, then the defaults.

Every entry point (`miners run`, `miners dev`, and so `make run` and `make dev`) resolves them here, once,
before Dagster starts, and exports the result, so Dagster's `EnvVar` resources see every setting set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dotenv import dotenv_values

from orchestration.paths import PROJECT_ROOT, resolve_data_dir

# The project's settings (.env.example documents them) at their offline defaults.
SETTING_DEFAULTS = {
    "MINERS_DATA_DIR": "warehouse",
    "MINERS_SOURCE": "snapshot",
    "MINERS_CSV_DIR": "",
    "MINERS_SEC_SOURCE": "",
    "SEC_USER_AGENT": "",
    "MINERS_SEC_FILES_DIR": "",
    "MINERS_HISTORY_START": "",
}

# Where the .env file is read from; MINERS_ENV_FILE (environment only) names another one.
ENV_FILE = PROJECT_ROOT / ".env"
INSTANCE_YAML = PROJECT_ROOT / "orchestration" / "instance" / "dagster.yaml"


def env_file() -> Path:
    return Path(os.environ.get("MINERS_ENV_FILE") or ENV_FILE)


def resolve_settings(environ: dict[str, str] | None = None, dotenv_path: Path | None = None) -> dict[str, str]:
    """Each setting from the environment if set there, else from the .env file, else its default.

    A setting present in the environment wins even when empty (`MINERS_CSV_DIR= make run`), as with any
    shell variable. DAGSTER_HOME defaults to <warehouse>/dagster_home, so runs show in the UI.
    """
    environ = dict(os.environ if environ is None else environ)
    path = dotenv_path or env_file()
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.is_file() else {}
    resolved = {}
    for name, default in {**SETTING_DEFAULTS, "DAGSTER_HOME": ""}.items():
        resolved[name] = environ[name] if name in environ else from_file.get(name, default)
    if not resolved["DAGSTER_HOME"]:
        resolved["DAGSTER_HOME"] = str(resolve_data_dir(resolved["MINERS_DATA_DIR"] or "warehouse") / "dagster_home")
    return resolved


def apply_settings() -> dict[str, str]:
    """Resolve the settings into this process's environment (Dagster's EnvVar resources read them there)."""
    resolved = resolve_settings()
    os.environ.update(resolved)
    return resolved


def prepare_dagster_home() -> Path:
    """DAGSTER_HOME, created with the shipped dagster.yaml (SQLite storage, the warehouse pool's limit, no
    telemetry) when it has none: for the commands that start Dagster, after `apply_settings`."""
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(INSTANCE_YAML, home / "dagster.yaml")
    return home


def offline_env(**settings: str) -> dict[str, str]:
    """This process's environment with every setting at its offline default, then `settings`: what a child
    `miners` or Dagster process should see whatever a developer's .env says."""
    return {**os.environ, **SETTING_DEFAULTS, **settings}
