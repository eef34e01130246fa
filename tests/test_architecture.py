"""The layers point one way: service → schema → graph (STYLE.md habit 16).

``graph/`` is the model in Cypher and knows nothing of HTTP or GraphQL; ``schema/`` is the
GraphQL layer and never reaches up into the service. Checked on the source (every import,
also the ones inside functions), so a violation fails here before it hides in a lazy import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package → top-level modules it must never import
FORBIDDEN: dict[str, set[str]] = {
    "graph": {"strawberry", "starlette", "uvicorn", "graphql", "schema", "service", "httpx"},
    "schema": {"service", "starlette", "uvicorn"},
    "seed": {"strawberry", "starlette", "uvicorn", "schema", "service"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module":
            found.append((node.lineno, "importlib.import_module"))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_point_one_way(package: str) -> None:
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in _imports(path):
            if module in FORBIDDEN[package] or module == "importlib.import_module":
                violations.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not violations, "layer violations:\n" + "\n".join(violations)


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    """The walk must find imports inside functions too, or the test above checks little."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from starlette.requests import Request\n    return Request\n")
    assert (2, "starlette") in _imports(sample)
