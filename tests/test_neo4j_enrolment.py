"""The students import on a real Neo4j 5: the same Cypher (create the new students, move the
known ones, rebuild the groups they touched and left) keeps every cohort group exact, and a
resumed import still rebuilds what the writes before it touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.neo4j_store import Neo4jStore
from tests.test_import_students import (
    moves_keep_every_group_exact,
    resumed_import_rebuilds_the_groups_left,
)

pytestmark = pytest.mark.neo4j


async def test_moves_keep_every_group_exact_on_neo4j(neo4j_store: Neo4jStore,
                                                    tmp_path: Path) -> None:
    await moves_keep_every_group_exact(neo4j_store, tmp_path)


async def test_a_resumed_import_rebuilds_the_groups_left_on_neo4j(neo4j_store: Neo4jStore,
                                                                 tmp_path: Path) -> None:
    await resumed_import_rebuilds_the_groups_left(neo4j_store, tmp_path)
