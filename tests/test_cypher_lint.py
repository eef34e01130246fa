"""Every Cypher text in the catalog, checked by Neo4j's own linter.

CI has no Neo4j server, and the embedded FalkorDB backend accepts things Neo4j 5 rejects
(and the reverse), so Neo4j's parser and semantic analysis
(``@neo4j-cypher/language-support``, run offline by ``tools/cypher-lint/lint.mjs``) are
what keep the production dialect honest. Errors and deprecations fail; other warnings
are printed (see ``pytest -rA``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TypedDict

import pytest

from tests import cypher_catalog as catalog

ROOT = Path(__file__).resolve().parent.parent
LINT_DIR = ROOT / "tools" / "cypher-lint"
LINT_SCRIPT = LINT_DIR / "lint.mjs"
LANGUAGE_SUPPORT = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
SETUP_HINT = "run `make test` (it installs the linter with `npm ci --prefix tools/cypher-lint`)"


class Diagnostic(TypedDict):
    """One finding of lint.mjs; line and column are 1-based."""

    name: str
    severity: int  # 1 = error, 2 = warning
    message: str
    line: int
    column: int
    deprecated: bool


def lint(queries: dict[str, str]) -> list[Diagnostic]:
    """Lint all queries in one node process (its start-up costs ~2 s)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` is not on PATH; the Cypher linter needs Node.js: {SETUP_HINT}")
    if not LANGUAGE_SUPPORT.is_dir():
        # Failing rather than skipping: a skipped linter looks green and checks nothing.
        pytest.fail(f"{LANGUAGE_SUPPORT.relative_to(ROOT)} is missing: {SETUP_HINT}")
    payload = json.dumps([{"name": name, "query": query} for name, query in queries.items()])
    result = subprocess.run(
        [node, str(LINT_SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"lint.mjs exited {result.returncode}:\n{result.stderr}")
    diagnostics: list[Diagnostic] = json.loads(result.stdout)
    return diagnostics


def describe(diagnostic: Diagnostic) -> str:
    """``name:line:column: message``, like a compiler, so a failure points at the text."""
    d = diagnostic
    return f"{d['name']}:{d['line']}:{d['column']}: {d['message']}"


def test_catalog_queries_pass_neo4j_linter() -> None:
    """No Cypher constant has a Neo4j 5 error or uses a deprecated feature."""
    queries = catalog.all_queries()
    assert queries, "cypher_catalog.all_queries() found no Cypher at all"
    diagnostics = lint(queries)
    for diagnostic in diagnostics:
        if diagnostic["severity"] != 1 and not diagnostic["deprecated"]:
            print(f"cypher-lint warning: {describe(diagnostic)}")
    failures = [d for d in diagnostics if d["severity"] == 1 or d["deprecated"]]
    if failures:
        report = "\n".join(describe(d) for d in failures)
        heading = f"Neo4j's Cypher linter reports {len(failures)} problem(s):"
        pytest.fail(f"{heading}\n{report}", pytrace=False)


def test_linter_is_live() -> None:
    """Broken text must be caught, or the test above would pass by checking nothing."""
    diagnostics = lint(
        {
            "broken": "MATCH (n RETURN n",
            "misspelled_function": "MATCH (n) RETURN toLowr(n.name)",
            "deprecated_function": "MATCH (n) RETURN id(n)",
            "fine": "MATCH (n:Competency {id: $id}) RETURN n.name AS name",
        }
    )
    errors = {d["name"] for d in diagnostics if d["severity"] == 1}
    deprecated = {d["name"] for d in diagnostics if d["deprecated"]}
    assert errors == {"broken", "misspelled_function"}, diagnostics
    assert deprecated == {"deprecated_function"}, diagnostics
