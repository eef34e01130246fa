"""The README's matching examples run as written on the demo data, with the token the README
says each needs, and are refused to the callers it says may not run them."""

from __future__ import annotations

from graph.embedded import EmbeddedStore
from schema import ANONYMOUS, Context, Principal, Role, build_schema
from tests.test_readme_records import operations

HEADING = "## 岗位匹配"
COLLEGE = Principal(Role.COLLEGE, "office-gz", "COL-DEMO-GZ")


async def test_the_matching_examples_run(demo_store: EmbeddedStore) -> None:
    schema = build_schema()
    found = operations(HEADING)
    assert [op.split("{", 1)[0].split()[1] for op in found] == ["JobMatches", "Candidates"]
    for operation in found:
        outcome = await schema.execute(operation, context_value=Context(demo_store, COLLEGE))
        assert outcome.errors is None, outcome.errors
        (connection,) = (outcome.data or {}).values()
        assert connection["totalCount"] > 0 and connection["edges"], operation
        ranks = [edge["node"]["rank"] for edge in connection["edges"]]
        assert ranks == list(range(1, len(ranks) + 1))
        for caller in (ANONYMOUS, Principal(Role.READER, "r"), Principal(Role.DESIGNER, "d"),
                       Principal(Role.COLLEGE, "office-bk", "COL-DEMO-BK")):
            refused = await schema.execute(operation,
                                           context_value=Context(demo_store, caller))
            assert refused.errors and refused.errors[0].extensions["code"] == "FORBIDDEN"
