"""docs/extending.md's folder map matches the tree: every folder of the runtime package and every top-level
folder in git is on it, and every path it names exists. The README names every served table."""

import re
import subprocess

from orchestration.defs.serving.publish import served_marts, served_tables
from orchestration.paths import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "extending.md"


def _folder_map() -> str:
    return DOC.read_text().split("## Folder map", 1)[1].split("```")[1]


def _tracked_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return {path.split("/")[0] for path in files.stdout.splitlines() if "/" in path}


def test_every_top_level_folder_is_on_the_map():
    listed = set(re.findall(r"^([\w.]+)/", _folder_map(), re.M))
    assert _tracked_folders() - {".ci"} <= listed


def test_every_runtime_folder_is_on_the_map():
    text = _folder_map()
    package = PROJECT_ROOT / "orchestration"
    for folder in package.rglob("*"):
        if folder.is_dir() and "__pycache__" not in folder.parts and "data" not in folder.relative_to(package).parts:
            assert f"{folder.name}/" in text, folder.relative_to(PROJECT_ROOT)


def test_every_file_named_on_the_map_exists():
    text = _folder_map()
    for name in re.findall(r"\b([\w]+\.py)\b", text):
        assert list((PROJECT_ROOT / "orchestration").rglob(name)), name


README = PROJECT_ROOT / "README.md"


def test_every_served_table_is_in_the_readme():
    """docs/extending.md's step 4 of a new mart: each served mart has its row in the README's table of
    questions, and every served table is in the BI section's `Tables:` list."""
    readme = README.read_text()
    questions = readme.split("| question | mart | status |", 1)[1].split("\n\n", 1)[0]
    tables = readme.split("\nTables: ", 1)[1].split("\n\n", 1)[0]
    for mart in served_marts():
        assert f"`{mart}`" in questions, f"{mart}: no row in the README's table of questions"
    for table in served_tables():
        assert f"`{table}`" in tables, f"{table}: not in the README's `Tables:` list"
