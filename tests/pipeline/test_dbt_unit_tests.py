"""dbt unit tests (SQL logic on fixed inputs) run here: production `dbt build`s exclude them, as dbt advises."""

import json
import os
import subprocess
from pathlib import Path

import yaml

from orchestration.defs.dbt.command import dbt_command
from orchestration.paths import DBT_PROJECT_DIR
from tests.pipeline_run import PipelineRun


def declared_unit_tests() -> set[str]:
    names = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for unit_test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []):
            names.add(unit_test["name"])
    return names


def test_every_dbt_unit_test_passes(pipeline: PipelineRun, tmp_path: Path):
    target = tmp_path / "dbt_target"
    completed = subprocess.run(
        dbt_command("test", "--select", "test_type:unit", target_path=target),
        env={**os.environ, "MINERS_DATA_DIR": str(pipeline.data_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {result["unique_id"].split(".")[-1]: result["status"] for result in results}
    assert set(ran) == declared_unit_tests()
    assert set(ran.values()) == {"pass"}
