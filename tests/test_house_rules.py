"""House rules read from the source itself: each module's private names stay its own."""

from __future__ import annotations

import ast
from pathlib import Path

import seatdash

PACKAGE = Path(seatdash.__file__).parent


def package_modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def borrowed_private_names(source: str) -> list[str]:
    """`module: name` for every `from X import _name` in the source (relative imports included)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found += [
                f"{module}: {alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_the_scan_sees_a_borrowed_private_name():
    assert borrowed_private_names("from seatdash.views import _helper, public\n") == [
        "seatdash.views: _helper"
    ]
    assert borrowed_private_names("from .records import _parse\n") == [".records: _parse"]
    assert borrowed_private_names("from __future__ import annotations\nimport _thread\n") == []


def test_no_module_imports_another_modules_private_names():
    modules = package_modules()
    assert len(modules) > 50  # the walk really found the package
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}: {name}"
        for path in modules
        for name in borrowed_private_names(path.read_text())
    ]
    assert offenders == []
