"""A dbt Python model's file imported as a module, for its functions: the tests and benchmarks check them on
their own, as dbt-duckdb runs the model's model() in this process the same way."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from orchestration.paths import DBT_PROJECT_DIR


def load_python_model(name: str) -> ModuleType:
    """The module of the model `name` (models/**/<name>.py)."""
    [path] = DBT_PROJECT_DIR.glob(f"models/**/{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
