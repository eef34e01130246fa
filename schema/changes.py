"""The API's changes since the released SDL: ``python -m schema.changes``.

``docs/api/released.graphql`` is the schema as last released. graphql-core compares it with
the schema the code builds: *breaking* changes (a client's valid operation may fail) and
*dangerous* ones (it keeps validating but may behave differently). A breaking change is
allowed only when CHANGELOG.md records it, word for word, under "API changes", so no client
is broken by accident; ``make test`` checks that (tests/test_schema_changes.py).

At a release, copy ``schema.graphql`` over ``docs/api/released.graphql`` and start a new
"API changes" section.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLSchema, build_schema, find_breaking_changes, find_dangerous_changes

__all__ = ["Change", "changes", "released_schema", "unrecorded"]

ROOT = Path(__file__).resolve().parent.parent
RELEASED = ROOT / "docs" / "api" / "released.graphql"
CHANGELOG = ROOT / "CHANGELOG.md"
SECTION = "## API changes"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference from the released schema, as graphql-core words it."""

    breaking: bool
    type: str  # BreakingChangeType / DangerousChangeType name, e.g. FIELD_CHANGED_KIND
    description: str

    def line(self) -> str:
        """The CHANGELOG bullet that records it."""
        return f"- {self.type}: {self.description}"


def released_schema() -> GraphQLSchema:
    return build_schema(RELEASED.read_text(encoding="utf-8"))


def current_schema() -> GraphQLSchema:
    from schema.printer import printed_schema  # the schema as clients see it (SDL round trip)

    return build_schema(printed_schema())


def changes(old: GraphQLSchema | None = None, new: GraphQLSchema | None = None) -> list[Change]:
    """Breaking changes first, then dangerous ones, each in graphql-core's order."""
    old = old if old is not None else released_schema()
    new = new if new is not None else current_schema()
    found = [Change(True, c.type.name, c.description) for c in find_breaking_changes(old, new)]
    found += [Change(False, c.type.name, c.description)
              for c in find_dangerous_changes(old, new)]
    return found


def recorded_lines(changelog: str) -> set[str]:
    """The bullets of every "API changes" section of CHANGELOG.md."""
    lines: set[str] = set()
    inside = False
    for raw in changelog.splitlines():
        line = raw.strip()
        if line.startswith("# ") or line.startswith("## "):  # ### subsections stay inside
            inside = line.startswith(SECTION)
        elif inside and line.startswith("- "):
            lines.add(line)
    return lines


def unrecorded(found: list[Change], changelog: str) -> list[Change]:
    """Breaking changes CHANGELOG.md does not record."""
    recorded = recorded_lines(changelog)
    return [c for c in found if c.breaking and c.line() not in recorded]


def report(found: list[Change]) -> str:
    breaking = [c for c in found if c.breaking]
    dangerous = [c for c in found if not c.breaking]
    out = [f"{len(breaking)} breaking, {len(dangerous)} dangerous change(s) since "
           f"{RELEASED.relative_to(ROOT)}"]
    if breaking:
        out += ["", "Breaking:"] + [c.line() for c in breaking]
    if dangerous:
        out += ["", "Dangerous:"] + [c.line() for c in dangerous]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Print the report; exit 1 when a breaking change is not in CHANGELOG.md.

    ``--missing`` prints only the bullets to add to CHANGELOG.md."""
    found = changes()
    changelog = CHANGELOG.read_text(encoding="utf-8") if CHANGELOG.exists() else ""
    missing = unrecorded(found, changelog)
    if "--missing" in argv:
        print("\n".join(c.line() for c in missing))
        return 0
    print(report(found))
    if missing:
        print(f"\n{len(missing)} breaking change(s) not recorded under {SECTION!r} in "
              f"CHANGELOG.md", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
