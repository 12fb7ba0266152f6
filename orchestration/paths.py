"""Where the project's own files live, independent of the working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DBT_DEFAULT_TARGET_DIR = DBT_PROJECT_DIR / "target"  # dbt's artefacts, unless DBT_TARGET_PATH moves them
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshot" / "data"


def resolve_data_dir(data_dir: str) -> Path:
    """A relative warehouse folder is taken from the repository root (as the dbt profile does)."""
    path = Path(data_dir).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
