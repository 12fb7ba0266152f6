"""What every benchmark needs: a fresh warehouse and Dagster home, a timed subprocess, medians."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.paths import PROJECT_ROOT
from orchestration.settings import offline_env

INSTANCE_YAML = PROJECT_ROOT / "orchestration" / "instance" / "dagster.yaml"
STEP_FINISHED = re.compile(r"finished (\S+) in ([\d.]+)s")


@dataclass
class Timed:
    """One measured subprocess: wall seconds, peak RSS of its largest process, output, per-step seconds."""

    wall: float
    peak_rss_mb: float
    returncode: int
    output: str
    steps: dict[str, float] = field(default_factory=dict)

    def check(self, what: str) -> Timed:
        if self.returncode != 0:
            raise RuntimeError(f"{what} failed (exit {self.returncode}):\n{self.output[-4000:]}")
        return self


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def fresh_instance(root: Path) -> dict[str, str]:
    """A new warehouse folder and DAGSTER_HOME (with the project's dagster.yaml) under `root`."""
    if root.exists():
        shutil.rmtree(root)
    home = root / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(INSTANCE_YAML, home / "dagster.yaml")
    return {"MINERS_DATA_DIR": str(root / "warehouse"), "DAGSTER_HOME": str(home)}


def pipeline_env(**overrides: str) -> dict[str, str]:
    """The environment `make run` gives `miners run`, on the bundled snapshot unless overridden."""
    return offline_env(**{"PYTHONWARNINGS": "ignore", **overrides})


def timed(command: list[str], env: dict[str, str], cwd: Path = PROJECT_ROOT) -> Timed:
    """Run `command` in a fresh child; the peak RSS is read from a wrapper so each run has its own figure."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "code = subprocess.call(sys.argv[1:])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", wrapper, *command], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    *errors, rss_line = completed.stderr.rstrip("\n").split("\n")
    output = completed.stdout + "\n".join(errors)
    steps: dict[str, float] = {}
    for step, seconds in STEP_FINISHED.findall(completed.stdout):
        steps[step] = steps.get(step, 0.0) + float(seconds)
    return Timed(
        wall=round(wall, 3),
        peak_rss_mb=round(int(rss_line) / 1024, 1),
        returncode=completed.returncode,
        output=output,
        steps=steps,
    )


def miners(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def dbt_node_seconds(target_path: Path) -> float:
    """The summed execution time of every node (models, seeds, tests) of the newest dbt build under
    target_path, as its run_results.json records them."""
    folders = sorted(target_path.glob("dbt_models-*"), key=lambda folder: folder.stat().st_mtime)
    results = json.loads((folders[-1] / "run_results.json").read_text())["results"]
    return round(sum(result["execution_time"] for result in results), 3)
