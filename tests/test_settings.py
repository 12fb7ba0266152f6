"""Settings precedence: the environment wins over .env, which wins over the defaults, however miners is started."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.paths import PROJECT_ROOT
from orchestration.settings import SETTING_DEFAULTS, resolve_settings


def _env_file(tmp_path: Path, **values: str) -> Path:
    path = tmp_path / ".env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def test_environment_over_env_file_over_defaults(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path, MINERS_SOURCE="csv", MINERS_CSV_DIR="/from/file", MINERS_DATA_DIR="wh_file")
    resolved = resolve_settings({"MINERS_SOURCE": "live", "MINERS_CSV_DIR": ""}, env_file)
    assert resolved["MINERS_SOURCE"] == "live"  # environment
    assert resolved["MINERS_CSV_DIR"] == ""  # set empty in the environment: still the environment's
    assert resolved["MINERS_DATA_DIR"] == "wh_file"  # .env
    assert resolved["MINERS_SEC_SOURCE"] == SETTING_DEFAULTS["MINERS_SEC_SOURCE"]  # default
    assert resolved["DAGSTER_HOME"] == str(PROJECT_ROOT / "wh_file" / "dagster_home")


def test_missing_env_file_gives_defaults(tmp_path: Path) -> None:
    resolved = resolve_settings({}, tmp_path / "absent.env")
    assert {k: resolved[k] for k in SETTING_DEFAULTS} == SETTING_DEFAULTS


def _make(target: str, tmp_path: Path, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in SETTING_DEFAULTS and k != "DAGSTER_HOME"}
    result = subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=PROJECT_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_honours_the_environment_over_env_file(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path, MINERS_SOURCE="csv", MINERS_CSV_DIR="/from/file", MINERS_SEC_SOURCE="files")
    shown = _make(
        "settings", tmp_path, MINERS_ENV_FILE=str(env_file), MINERS_SOURCE="live", MINERS_DATA_DIR=str(tmp_path)
    )
    lines = set(shown.splitlines())
    assert "MINERS_SOURCE=live" in lines  # environment over .env
    assert "MINERS_CSV_DIR=/from/file" in lines  # .env over default
    assert "MINERS_SEC_SOURCE (resolved)=files" in lines
    assert f"warehouse={tmp_path}" in lines

    defaults = set(_make("settings", tmp_path, MINERS_ENV_FILE=str(tmp_path / "absent.env")).splitlines())
    assert "MINERS_SOURCE=snapshot" in defaults
    assert "MINERS_SEC_SOURCE (resolved)=snapshot" in defaults


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("target", "command"), [("run", "miners run"), ("dev", "miners dev")])
def test_make_targets_start_miners_which_resolves_settings(target: str, command: str) -> None:
    """`make run` and `make dev` read no setting themselves: they start `miners`, which resolves them."""
    recipe = subprocess.run(["make", "-n", target], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert command in recipe.stdout
    assert "include .env" not in (PROJECT_ROOT / "Makefile").read_text()


def test_env_example_documents_every_setting_and_sets_none() -> None:
    """.env.example names each setting once, commented out: the defaults live in orchestration/settings.py."""
    lines = (PROJECT_ROOT / ".env.example").read_text().splitlines()
    named = [line.removeprefix("# ").removesuffix("=") for line in lines if re.fullmatch(r"# [A-Z_]+=", line)]
    assert sorted(named) == sorted(SETTING_DEFAULTS)
    assert not [line for line in lines if line and not line.startswith("#")]
    assert resolve_settings({}, PROJECT_ROOT / ".env.example") == resolve_settings({}, PROJECT_ROOT / "absent.env")


def test_empty_value_means_the_default(tmp_path: Path) -> None:
    resolved = resolve_settings({"MINERS_SOURCE": ""}, _env_file(tmp_path, MINERS_DATA_DIR=""))
    assert resolved["MINERS_SOURCE"] == SETTING_DEFAULTS["MINERS_SOURCE"]
    assert resolved["MINERS_DATA_DIR"] == SETTING_DEFAULTS["MINERS_DATA_DIR"]
