"""One meaning per name: no two modules of service/ define a public top-level function or class of one name."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SERVICE = Path(__file__).resolve().parent.parent / "service"
# Alembic requires every migration to define upgrade() and downgrade().
EXEMPT = (SERVICE / "store" / "migrations",)


def public_definitions(root: Path, exempt: tuple[Path, ...] = ()) -> dict[str, list[str]]:
    """Public top-level function and class names -> the modules (paths under root) that define them."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        if any(path.is_relative_to(folder) for folder in exempt):
            continue
        for node in ast.parse(path.read_text("utf-8"), filename=str(path)).body:
            is_definition = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            if is_definition and not node.name.startswith("_"):
                found[node.name].append(path.relative_to(root).as_posix())
    return found


def duplicates(root: Path, exempt: tuple[Path, ...] = ()) -> dict[str, list[str]]:
    """The public names more than one module defines."""
    return {name: paths for name, paths in public_definitions(root, exempt).items() if len(paths) > 1}


def test_no_two_modules_define_one_public_name():
    found = duplicates(SERVICE, EXEMPT)
    assert not found, f"one name, one meaning: rename one of each {found}"


def test_a_new_duplicate_is_found(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "one.py").write_text("def decode(data): ...\nclass Cost: ...\ndef _private(): ...\n")
    (tmp_path / "pkg" / "two.py").write_text("async def decode(form): ...\nclass Other: ...\ndef _private(): ...\n")
    (tmp_path / "pkg" / "three.py").write_text("class Cost:\n    def decode(self): ...\n")
    assert duplicates(tmp_path) == {"decode": ["one.py", "pkg/two.py"], "Cost": ["one.py", "pkg/three.py"]}


def test_migrations_are_exempt(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for name in ("0001.py", "0002.py"):
        (migrations / name).write_text("def upgrade(): ...\ndef downgrade(): ...\n")
    assert duplicates(tmp_path, (migrations,)) == {}
    assert set(duplicates(tmp_path)) == {"upgrade", "downgrade"}
