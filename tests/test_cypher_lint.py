"""Every Cypher text in the catalog, checked by Neo4j's own linter.

CI has no Neo4j server, and the embedded FalkorDB backend accepts things Neo4j 5 rejects
(and the reverse), so Neo4j's parser and semantic analysis
(``@neo4j-cypher/language-support``, run offline by ``tools/cypher-lint/lint.mjs``) are
what keep the production dialect honest. Errors and deprecations fail; other warnings
are printed (see ``pytest -rA``).

Neo4j's semantic analysis costs ~0.14 s of CPU a query (400 queries: ~55 s), so verdicts are
kept in pytest's cache (``.pytest_cache``), keyed by the query's text and by the linter
itself (``lint.mjs``, the locked package versions, Node's version): a run lints only the
texts that changed since the last one, a fresh checkout lints them all. The liveness test
never reads the cache, so every run still proves the linter works.
"""

from __future__ import annotations

import hashlib
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


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:32]


def _linter_key(kind: str) -> str:
    node = shutil.which("node") or "node"
    version = subprocess.run([node, "--version"], capture_output=True, check=False).stdout
    return f"cypher-lint/{kind}/" + _digest(LINT_SCRIPT.read_bytes(),
                                    (LINT_DIR / "package-lock.json").read_bytes(), version)


def lint_cached(queries: dict[str, str], cache: pytest.Cache | None,
                kind: str = "catalog") -> list[Diagnostic]:
    """``lint``, reusing the verdict of every text the same linter judged before; ``kind``
    names the set of texts, whose cache entry keeps only the texts of its last run."""
    if cache is None:
        return lint(queries)
    key = _linter_key(kind)
    known: dict[str, list[Diagnostic]] = cache.get(key, {})
    texts = {_digest(q.encode()): q for q in queries.values()}
    missing = {digest: text for digest, text in texts.items() if digest not in known}
    if missing:
        fresh: dict[str, list[Diagnostic]] = {digest: [] for digest in missing}
        for diagnostic in lint(missing):  # named by digest, so verdicts map back to texts
            fresh[diagnostic["name"]].append(diagnostic)
        # a crash may be transient: never remember it
        known.update({d: found for d, found in fresh.items()
                      if not any("linter crashed" in x["message"] for x in found)})
        cache.set(key, {digest: known[digest] for digest in texts if digest in known})
        known.update(fresh)
    return [{**d, "name": name} for name, query in queries.items()
            for d in known[_digest(query.encode())]]


def describe(diagnostic: Diagnostic) -> str:
    """``name:line:column: message``, like a compiler, so a failure points at the text."""
    d = diagnostic
    return f"{d['name']}:{d['line']}:{d['column']}: {d['message']}"


def test_catalog_queries_pass_neo4j_linter(pytestconfig: pytest.Config) -> None:
    """No Cypher constant has a Neo4j 5 error or uses a deprecated feature."""
    queries = catalog.all_queries()
    assert queries, "cypher_catalog.all_queries() found no Cypher at all"
    diagnostics = lint_cached(queries, getattr(pytestconfig, "cache", None))
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


def test_the_cache_keeps_each_verdict_with_its_text(pytestconfig: pytest.Config) -> None:
    """A cached run reports what a fresh one does, under every name that shares a text."""
    queries = {"bad": "MATCH (n RETURN n", "bad_again": "MATCH (n RETURN n",
               "fine": "MATCH (n:Competency) RETURN n.code AS code"}
    fresh = lint(queries)
    cache = getattr(pytestconfig, "cache", None)
    assert cache is not None, "pytest's cache provider is off (-p no:cacheprovider?)"
    cache.set(_linter_key("cache-test"), {})
    first = lint_cached(queries, cache, kind="cache-test")
    second = lint_cached(queries, cache, kind="cache-test")

    def key(d: Diagnostic) -> tuple[str, str, int, int]:
        return (d["name"], d["message"], d["line"], d["column"])

    assert sorted(map(key, first)) == sorted(map(key, second)) == sorted(map(key, fresh))
    assert {d["name"] for d in second if d["severity"] == 1} == {"bad", "bad_again"}
