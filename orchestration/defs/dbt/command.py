"""dbt's command line without Dagster: which dbt, where its artefacts go, `dbt parse`, old artefacts pruned.

Light on purpose (no dagster or dagster-dbt import): `miners run` starts `dbt parse` first, so it overlaps
the Python imports, because importing the definitions needs the manifest it writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.paths import DBT_DEFAULT_TARGET_DIR, DBT_PROJECT_DIR
from orchestration.settings import project_settings

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

# dbt's own DBT_TARGET_PATH moves the artefacts (manifest, run results); dagster-dbt honours it too.
DBT_TARGET_PATH = Path(os.environ.get("DBT_TARGET_PATH") or DBT_DEFAULT_TARGET_DIR)
# dagster-dbt gives each invocation its own target folder (about 8 MB: compiled SQL, run results, logs).
KEEP_INVOCATION_FOLDERS = 3
# A run tagged DBT_CONSOLE_TAG=quiet (`miners run` without --verbose) keeps dbt's line per node out of stdout,
# which is the terminal there; dbt's warnings and errors are still logged, and its dbt.log has everything.
# Untagged runs (the UI's) echo them as dagster-dbt does, into the step's captured stdout.
DBT_CONSOLE_TAG = "miners/dbt_console"


def dbt_executable() -> str:
    """This environment's dbt, as `miners-dbt` (launcher.py: dbt, with a `--version` that skips its start-up),
    even when its bin folder is not on PATH (e.g. `.venv/bin/dagster dev`)."""
    beside_python = Path(sys.executable).parent / "miners-dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("miners-dbt") or "miners-dbt")


def dbt_command(*args: str, target_path: Path = DBT_TARGET_PATH) -> list[str]:
    """`dbt <args>` on this project and its profile, from any working folder, artefacts in `target_path`."""
    return [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
    ]


def dbt_env() -> dict[str, str]:
    """This process's environment with the settings resolved: dbt's profile reads MINERS_DATA_DIR."""
    return {**os.environ, **project_settings()}


def start_parse(target_path: Path = DBT_TARGET_PATH) -> subprocess.Popen[str]:
    """Start `dbt parse` (writes target/manifest.json); `wait_for_parse` collects it."""
    return subprocess.Popen(  # noqa: S603 - this environment's dbt, arguments built here
        dbt_command("parse", "--quiet", target_path=target_path),
        cwd=DBT_PROJECT_DIR,
        env=dbt_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextmanager
def parse_lock(target_path: Path = DBT_TARGET_PATH) -> Iterator[None]:
    """One process at a time between `dbt parse` and reading its manifest: concurrent `miners run` share the
    target folder, and dbt rewrites manifest.json in place."""
    target_path.mkdir(parents=True, exist_ok=True)
    with (target_path / ".parse.lock").open("a") as lock:
        if fcntl is not None:  # Windows: unguarded
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def wait_for_parse(process: subprocess.Popen[str]) -> None:
    """Wait for `start_parse`; a failed parse raises with dbt's own output."""
    output, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"dbt parse failed (exit {process.returncode}):\n{output}")


def parse(target_path: Path = DBT_TARGET_PATH) -> None:
    wait_for_parse(start_parse(target_path))


def prune_invocation_folders(keep: int = KEEP_INVOCATION_FOLDERS, target_path: Path = DBT_TARGET_PATH) -> list[Path]:
    """Remove all but the newest `keep` per-invocation folders, which otherwise pile up run after run."""
    folders = sorted(target_path.glob("dbt_models-*"), key=lambda folder: folder.stat().st_mtime, reverse=True)
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return folders[keep:]
