"""`miners-dbt`: dbt's own command line, except that `dbt --version` answers from the installed package.

dagster-dbt runs `<dbt_executable> --version` once per run, to choose between dbt-core and dbt Fusion. dbt answers
it after a full start-up and a request to PyPI for the latest release: 2.1 s of every run with the environment
compiled to bytecode, 4 s without. The installed dbt-core's version is all dagster-dbt reads, and the package
metadata has it. Every other command is dbt's, unchanged. Light on purpose: nothing is imported before dbt itself.
"""

from __future__ import annotations

import sys
from importlib.metadata import version


def main() -> None:
    """The `miners-dbt` console script."""
    if sys.argv[1:] == ["--version"]:
        print(f"Core:\n  - installed: {version('dbt-core')}\n\nPlugins:\n  - duckdb: {version('dbt-duckdb')}")
        return
    from dbt.cli.main import cli  # noqa: PLC0415 - dbt's start-up is what `--version` skips

    cli()
