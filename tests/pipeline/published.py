"""A copy of the session's warehouse with its last good publish, and fingerprints of what BI tools read."""

import hashlib
import shutil
from pathlib import Path


def copy_warehouse(source: Path, target: Path) -> None:
    """The session's warehouse with its last good publish: serving file, Parquet and report."""
    for name in ("warehouse.duckdb", "serving.duckdb", "convergence_report.html"):
        shutil.copy(source / name, target / name)
    shutil.copytree(source / "parquet", target / "parquet")


def served_files(data_dir: Path) -> dict[str, str]:
    files = [data_dir / "serving.duckdb", data_dir / "convergence_report.html", *(data_dir / "parquet").glob("*")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}
