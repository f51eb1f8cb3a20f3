"""The layout docs/architecture.md promises: sizes a reader can hold in mind, and imports that
run one way (pages → domains → core, never back, never from one person's pages to another's)."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("api", "bot", "actions", "contract", "cluster")
MEASURED = (*SHIPPED, "bench")
MODULE_MAX_LINES = 300
FUNCTION_MAX_LINES = 60
PAGE_PACKAGES = ("public", "policyholder", "agent", "trainer")


def _modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_checks_read_the_code() -> None:
    assert len(list(_modules(*SHIPPED))) > 100


def test_no_module_over_300_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules(*MEASURED)
        if (lines := path.read_text(encoding="utf-8").count("\n")) > MODULE_MAX_LINES
    }
    assert long == {}


def test_no_function_over_60_lines() -> None:
    long: dict[str, int] = {}
    for path in _modules(*MEASURED):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_MAX_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert long == {}


@pytest.mark.parametrize("package", PAGE_PACKAGES)
def test_one_persons_pages_never_import_anothers(package: str) -> None:
    others = tuple(f"api.web.{other}" for other in PAGE_PACKAGES if other != package)
    crossing = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported(path) if name.startswith(others)
        )
        for path in _modules(f"api/web/{package}")
    }
    assert {path: names for path, names in crossing.items() if names} == {}


def test_domains_and_core_never_import_pages_or_benchmarks() -> None:
    pages = [
        path
        for path in _modules("api")
        if path.relative_to(ROOT).parts[1] not in ("web", "main.py")
    ]
    assert len(pages) > 50
    upward = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported(path) if name.startswith(("api.web", "bench"))
        )
        for path in pages
    }
    assert {path: names for path, names in upward.items() if names} == {}


def test_benchmarks_are_not_shipped() -> None:
    shipped = {
        str(path.relative_to(ROOT)): sorted(n for n in _imported(path) if n.startswith("bench"))
        for path in _modules(*SHIPPED)
    }
    assert {path: names for path, names in shipped.items() if names} == {}
