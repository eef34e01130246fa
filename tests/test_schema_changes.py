"""Every breaking change against the released SDL is recorded in CHANGELOG.md."""

from __future__ import annotations

from graphql import build_schema

from schema import changes


def test_breaking_changes_are_in_the_changelog() -> None:
    found = changes.changes()
    missing = changes.unrecorded(found, changes.CHANGELOG.read_text(encoding="utf-8"))
    assert not missing, (
        "breaking API changes missing from CHANGELOG.md (## API changes); "
        "`python -m schema.changes --missing` prints the lines:\n"
        + "\n".join(c.line() for c in missing))


def test_the_check_sees_a_breaking_change() -> None:
    """A removed field and a narrowed argument are reported, and only a verbatim
    CHANGELOG line excuses them: the check above is not vacuous."""
    old = build_schema("type Query { a: String, b(x: String): Int }")
    new = build_schema("type Query { b(x: String!): Int }")
    found = changes.changes(old, new)
    assert [(c.breaking, c.type) for c in found] == [
        (True, "FIELD_REMOVED"), (True, "ARG_CHANGED_KIND")]
    assert changes.unrecorded(found, "") == found
    changelog = "# Changes\n\n## API changes\n\n" + "\n".join(c.line() for c in found) + "\n"
    assert changes.unrecorded(found, changelog) == []
    # Lines outside an "API changes" section do not count.
    assert changes.unrecorded(found, changelog.replace("## API changes", "## Other")) == found


def test_released_sdl_builds() -> None:
    released = changes.released_schema()
    assert released.query_type is not None and "competency" in released.query_type.fields
