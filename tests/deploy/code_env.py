"""Which environment variables a part of the code reads, found in its source (no import: the
assistant's code needs Rasa, which the API's environment does not have)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")


def _constants(trees: list[ast.Module]) -> dict[str, str]:
    """Module-level `NAME = "TEXT"` of every file (how `X_ENV` constants name a variable)."""
    found: dict[str, str] = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        found[target.id] = node.value.value
    return found


def _name(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Attribute):  # tokens.CHANNEL_KEY_ENV
        return constants.get(node.attr)
    return None


def _is_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _reads(tree: ast.Module, constants: dict[str, str]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        argument: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args:
            function = node.func
            if isinstance(function, ast.Attribute) and (
                function.attr == "getenv"
                or (function.attr == "get" and _is_environ(function.value))
            ):
                argument = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            argument = node.slice
        if argument is not None:
            name = _name(argument, constants)
            if name is None:
                raise AssertionError(f"an environment read the scan cannot name: {ast.dump(node)}")
            names.add(name)
    return names


def env_read_by(folders: list[Path]) -> set[str]:
    """Every variable read through os.environ or os.getenv in the folders' Python files (the
    constants of all the folders together name them)."""
    trees = [
        ast.parse(path.read_text(encoding="utf-8"))
        for folder in folders
        for path in sorted(folder.rglob("*.py"))
    ]
    constants = _constants(trees)
    return set().union(*(_reads(tree, constants) for tree in trees))


def placeholders_in(files: list[Path]) -> set[str]:
    """The `${VAR}` that Rasa expands in its YAML files."""
    return {name for path in files for name in PLACEHOLDER.findall(path.read_text("utf-8"))}
