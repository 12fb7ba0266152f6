"""P1: a cold full run on the snapshot (extract, dbt, every gate, publish) against the stack's own floor.

Cold: a new warehouse folder, a new Dagster home and no dbt target, exactly what `make run` meets on a
fresh clone after `uv sync`. The floor is what the stack costs before any work, measured alone in the same
benchmark: one Python process importing Dagster, dagster-dbt and Great Expectations, running an empty
Dagster job and creating a GE context; plus dbt's two invocations with nothing to build (a cold `dbt parse`
of this project, then `dbt build` of an empty selection).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import fresh_instance, median, miners, pipeline_env, timed
from orchestration.defs.dbt.command import dbt_command

TARGET_FLOOR_RATIO = 1.5

STACK_STARTUP = """
import tempfile
import dagster as dg
import dagster_dbt  # noqa: F401
import great_expectations as gx

@dg.op
def nothing() -> None:
    return None

@dg.job
def empty() -> None:
    nothing()

assert empty.execute_in_process(instance=dg.DagsterInstance.ephemeral()).success
gx.get_context(mode="ephemeral")
"""


def measure_floor(root: Path) -> dict[str, float]:
    env = pipeline_env(**fresh_instance(root))
    python_stack = timed([miners()[0], "-c", STACK_STARTUP], env).check("stack start-up")
    target = root / "dbt_target"
    parse = timed(dbt_command("parse", "--quiet", target_path=target), env).check("dbt parse")
    empty_build = timed(dbt_command("build", "--quiet", "--select", "tag:no_such_tag", target_path=target), env)
    empty_build.check("empty dbt build")
    return {
        "python_dagster_ge": python_stack.wall,
        "dbt_parse_cold": parse.wall,
        "dbt_build_empty": empty_build.wall,
        "total": round(python_stack.wall + parse.wall + empty_build.wall, 3),
    }


def cold_run(root: Path) -> dict[str, object]:
    env = pipeline_env(**fresh_instance(root), DBT_TARGET_PATH=str(root / "dbt_target"))  # no manifest yet
    run = timed(miners("run"), env).check("miners run")
    if "miners run: succeeded" not in run.output:
        raise RuntimeError(f"miners run did not succeed:\n{run.output[-4000:]}")
    return {"wall": run.wall, "peak_rss_mb": run.peak_rss_mb, "steps": run.steps}


def run(repeats: int = 3) -> dict[str, object]:
    """Cold runs and floors alternate, so both see the same machine conditions."""
    runs, floors = [], []
    with tempfile.TemporaryDirectory(prefix="bench_p1_") as tmp:
        for index in range(repeats):
            floors.append(measure_floor(Path(tmp) / f"floor{index}"))
            runs.append(cold_run(Path(tmp) / f"run{index}"))
    ratios = [r["wall"] / f["total"] for r, f in zip(runs, floors, strict=True)]
    wall = median([r["wall"] for r in runs])
    ratio = median(ratios)
    return {
        "id": "P1",
        "what": "cold full run on the snapshot: `miners run` in a new warehouse and Dagster home, no dbt target",
        "repeats": repeats,
        "wall_seconds_median": wall,
        "wall_seconds": [r["wall"] for r in runs],
        "floor_seconds_median": median([f["total"] for f in floors]),
        "floor_components_median": {k: median([f[k] for f in floors]) for k in floors[0]},
        "ratio_to_floor_median": ratio,
        "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs),
        "runs": runs,
        "target": f"<= {TARGET_FLOOR_RATIO}x floor",
        "passed": ratio <= TARGET_FLOOR_RATIO,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
