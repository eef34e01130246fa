"""The same Cypher on a real Neo4j 5 server (runs when NEO4J_URI is set, else skips visibly).

Loads the reference seed and runs the GraphQL framework queries against Neo4j, and checks
they answer exactly as the embedded store does.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.migrations import SCHEMA_VERSION, current_version
from graph.neo4j_store import Neo4jStore
from seed import load_seed

pytestmark = pytest.mark.neo4j

QUERIES = [
    "{ levels { code maxProficiency } layers { code } strands { code } }",
    "{ competencies(first: 30) { totalCount edges { cursor node { code "
    "prerequisites(transitive: true) { code } requirements { code progressesTo { code } } } } } }",
    "{ competency(code: \"GEN-02\") { taughtBy { course { code } proficiency { value } } "
    "measuredBy { assessment { code } weight } dependents(transitive: true) { code } } }",
    "{ courses(first: 50, level: \"GZ\") { totalCount nodes { code teaches { competency "
    "{ code } } prerequisites { code } } } }",
]


async def test_seed_loads_idempotently_on_neo4j(neo4j_store: Neo4jStore) -> None:
    assert await current_version(neo4j_store) == SCHEMA_VERSION
    assert (await load_seed(neo4j_store)).status == "created"
    assert (await load_seed(neo4j_store)).status == "unchanged"


@pytest.mark.parametrize("query", QUERIES)
async def test_graphql_answers_match_the_embedded_store(
        neo4j_store: Neo4jStore, seeded_store: EmbeddedStore, run_query: Any,
        query: str) -> None:
    await load_seed(neo4j_store)
    on_neo4j = await run_query(query, store=neo4j_store)
    embedded = await run_query(query, store=seeded_store)
    assert on_neo4j.errors is None, on_neo4j.errors
    assert on_neo4j.data == embedded.data
