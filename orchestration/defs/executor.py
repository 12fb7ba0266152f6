"""The code location's executor: Dagster's in-process executor, which first refuses a run that would execute a
partitioned asset without a partition.

The Launchpad lets a partitioned job (`all_assets_job`, `market_data_job`) launch without choosing
partitions; its first step would then fail inside Dagster (`CheckError: Has a PartitionsDefinition, so should
either have a partition key or a partition key range`), after the unpartitioned steps that happened to run
first. Here the run fails before any step, saying how to choose a range. `miners run` and `materialize()`
execute in process with Dagster's own executor and always pass a range.
"""

from collections.abc import Iterator

import dagster as dg


def refusal(job_name: str, partitioned: dict[str, dg.PartitionsDefinition], run_is_partitioned: bool) -> str | None:
    """Why a run must not start: its steps for partitioned assets (asset -> partitions) and no partition."""
    if run_is_partitioned or not partitioned:
        return None
    asset, partitions_def = next(iter(sorted(partitioned.items())))
    keys = partitions_def.get_partition_keys()
    whole = f"{keys[0]}...{keys[-1]}" if keys else "the whole range"
    return (
        f"{job_name} runs {asset}, which is partitioned by month, and no partition was chosen, so nothing ran. "
        f"In the Launchpad, pick partitions with the partition selector (e.g. {whole}: every month, "
        "which runs as one run), or from the asset graph use Materialize and choose the months there "
        "(a backfill); `miners run` loads the whole history from the command line."
    )


class PartitionCheckedExecutor(dg.Executor):
    """Delegates to `inner` once the run is known to have the partitions its steps need."""

    def __init__(self, inner: dg.Executor) -> None:
        self.inner = inner

    @property
    def retries(self):
        return self.inner.retries

    @property
    def step_dependency_config(self):
        return self.inner.step_dependency_config

    def execute(self, plan_context, execution_plan) -> Iterator[dg.DagsterEvent]:
        layer = plan_context.job.get_definition().asset_layer
        partitioned = {}
        for step in execution_plan.get_steps_to_execute_in_topo_order():
            assets_def = layer.get_assets_def_for_node(step.node_handle)
            if assets_def is not None and assets_def.partitions_def is not None:
                for key in assets_def.keys:
                    partitioned[key.to_user_string()] = assets_def.partitions_def
        why = refusal(plan_context.dagster_run.job_name, partitioned, plan_context.dagster_run.is_partitioned)
        if why:
            raise dg.Failure(description=why)
        yield from self.inner.execute(plan_context, execution_plan)


@dg.executor(
    name="in_process",
    config_schema=dg.in_process_executor.config_schema.as_field().config_type,
)
def partition_checked_in_process_executor(init_context: dg.InitExecutorContext) -> dg.Executor:
    """Dagster's in-process executor (fast start-up), refusing a partitioned run without partitions."""
    return PartitionCheckedExecutor(dg.in_process_executor.executor_creation_fn(init_context))
