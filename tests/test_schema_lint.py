"""``schema.graphql`` passes graphql-schema-linter with the rule set of tools/schema-lint.

The rules and why three are off: tools/schema-lint/README.md. Like the Cypher linter, a
missing install fails (a skipped linter looks green and checks nothing).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_DIR = ROOT / "tools" / "schema-lint"
LINTER = LINT_DIR / "node_modules" / "graphql-schema-linter" / "lib" / "cli.js"
SETUP_HINT = "run `make test` (it installs the linter with `npm ci --prefix tools/schema-lint`)"


def lint(path: Path) -> list[dict[str, object]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` is not on PATH; the schema linter needs Node.js: {SETUP_HINT}")
    if not LINTER.is_file():
        pytest.fail(f"{LINTER.relative_to(ROOT)} is missing: {SETUP_HINT}")
    result = subprocess.run(
        [node, str(LINTER), "--config-directory", str(LINT_DIR), "--format", "json", str(path)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=300, check=False)
    if result.returncode not in (0, 1) or not result.stdout.strip():
        pytest.fail(f"graphql-schema-linter exited {result.returncode}:\n{result.stderr}")
    errors: list[dict[str, object]] = json.loads(result.stdout)["errors"]
    return errors


def test_schema_graphql_is_lint_clean() -> None:
    errors = lint(ROOT / "schema.graphql")
    report = "\n".join(f"{e['location']}: {e['message']} ({e['rule']})"  # type: ignore[index]
                       for e in errors)
    assert not errors, f"graphql-schema-linter reports {len(errors)} problem(s):\n{report}"


def test_the_linter_is_live(tmp_path: Path) -> None:
    """Known-bad SDL is caught under the same rule set, so the test above is not vacuous."""
    bad = tmp_path / "bad.graphql"
    bad.write_text('"""Root."""\ntype Query {\n  """A field."""\n  some_field: String\n'
                   '  undescribed: Int\n}\n', encoding="utf-8")
    rules = {str(e["rule"]) for e in lint(bad)}
    assert {"fields-are-camel-cased", "fields-have-descriptions"} <= rules, rules
