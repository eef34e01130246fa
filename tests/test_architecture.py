"""The layers point one way: service → schema → graph (STYLE.md habit 16), and no module
of theirs (or of seed/) grows past ~400 lines (one concept per module, STYLE.md habit 1).

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


# ---- module size ---------------------------------------------------------------------------
MAX_LINES = 400
SIZED = ("graph", "schema", "seed", "service")
# Modules allowed over MAX_LINES while they are being split, each with who splits it. The
# list only shrinks: an entry whose module is back under the limit (or gone) fails too, so
# whoever splits a module also deletes its line here. Empty it; never add to it.
OVERSIZE_FOR_NOW: dict[str, str] = {}


def _sizes(root: Path = ROOT) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
            for package in SIZED for path in sorted((root / package).rglob("*.py"))}


def test_no_module_is_over_the_size_limit() -> None:
    over = {name: lines for name, lines in _sizes().items()
            if lines > MAX_LINES and name not in OVERSIZE_FOR_NOW}
    assert not over, (f"modules over {MAX_LINES} lines (split them by concept): "
                      + ", ".join(f"{name} ({lines})" for name, lines in sorted(over.items())))


def test_the_oversize_list_only_shrinks() -> None:
    sizes = _sizes()
    stale = [name for name in OVERSIZE_FOR_NOW if sizes.get(name, 0) <= MAX_LINES]
    assert not stale, ("no longer over the limit, remove from OVERSIZE_FOR_NOW: "
                       + ", ".join(stale))


def test_the_size_check_sees_nested_modules(tmp_path: Path) -> None:
    """Subpackages count too, or splitting into a folder would hide a big module."""
    (tmp_path / "graph" / "editing").mkdir(parents=True)
    (tmp_path / "graph" / "editing" / "big.py").write_text("x = 1\n" * (MAX_LINES + 1))
    assert _sizes(tmp_path) == {"graph/editing/big.py": MAX_LINES + 1}
