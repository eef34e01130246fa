"""Relay ``Node``: every framework element has a global id that ``node``/``nodes`` resolve
to the same object its code lookup gives, within the same visibility rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.embedded import EmbeddedStore
from schema import Principal, Role
from schema.node import to_global_id
from schema.node_query import MAX_IDS
from seed import load_seed
from tests.curriculum_data import FW, write_tiny_seed

DESIGNER = Principal(Role.DESIGNER, "designer-n")

LOOKUPS = {  # root field by code → the fields compared
    "competency": "code nameZh layerCode levelCodes framework",
    "course": "code nameEn levelCode kind credits framework",
    "major": "code nameZh levels framework",
    "assessment": "code kind maxScore framework",
    "jobRole": "code levelCode industryCode framework",
    "program": "code levelCode majorCode framework",
}
CODES = {"competency": "GEN-01", "course": None, "major": "M-AI", "assessment": None,
         "jobRole": "JOB-IT-01", "program": "P-AI-GZ"}


def ok(result: Any) -> dict[str, Any]:
    assert result.errors is None, result.errors
    return result.data  # type: ignore[no-any-return]


async def _first_code(run_query: Any, plural: str) -> str:
    data = ok(await run_query(f"{{ {plural}(first: 1) {{ nodes {{ code }} }} }}"))
    return str(data[plural]["nodes"][0]["code"])


async def test_node_gives_what_the_code_lookup_gives(run_query: Any) -> None:
    codes = dict(CODES)
    codes["course"] = await _first_code(run_query, "courses")
    codes["assessment"] = await _first_code(run_query, "assessments")
    for field, selection in LOOKUPS.items():
        by_code = ok(await run_query(
            f'{{ x: {field}(code: "{codes[field]}") {{ id __typename {selection} }} }}'))["x"]
        assert by_code is not None, field
        again = ok(await run_query(
            f"query($id: ID!) {{ node(id: $id) {{ id __typename "
            f"... on {by_code['__typename']} {{ {selection} }} }} }}", {"id": by_code["id"]}))
        assert again["node"] == by_code, field


async def test_reference_types_and_nested_elements_are_nodes(run_query: Any) -> None:
    data = ok(await run_query("{ levels { id __typename } layers { id __typename } "
                              'competency(code: "GEN-01") { requirements { id __typename } '
                              "strands { id __typename } } }"))
    objects = [*data["levels"], *data["layers"], *data["competency"]["requirements"],
               *data["competency"]["strands"]]
    ids = [o["id"] for o in objects]
    assert len(set(ids)) == len(ids) > 6  # unique across types
    found = ok(await run_query("query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }",
                               {"ids": ids}))["nodes"]
    assert found == objects  # in the order asked


async def test_unknown_and_foreign_ids_are_null(run_query: Any) -> None:
    data = ok(await run_query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [
        "not base64 at all!", to_global_id("Competency", "AIL@2025.1|NOPE-99"),
        to_global_id("Student", "COL-DEMO-GZ|S00001"), to_global_id("Competency", "GEN-01"),
        to_global_id("Level", "XX")]}))
    assert data["nodes"] == [None] * 5


async def test_ids_per_call_are_capped(run_query: Any) -> None:
    ids = [to_global_id("Level", "ZZ")] * (MAX_IDS + 1)
    refused = await run_query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert refused.errors and refused.errors[0].extensions["code"] == "TOO_MANY_IDS"
    fine = ok(await run_query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                              {"ids": ids[:MAX_IDS]}))
    assert len(fine["nodes"]) == MAX_IDS and all(fine["nodes"])


async def test_a_draft_element_is_a_node_only_for_designers(
        run_query: Any, store: EmbeddedStore, tmp_path: Path) -> None:
    await load_seed(store, write_tiny_seed(tmp_path / "tiny"))  # TST@1, a draft
    draft_id = to_global_id("Competency", f"{FW}|GEN-A")
    query = "query($id: ID!) { node(id: $id) { id ... on Competency { code framework } } }"
    anonymous = ok(await run_query(query, {"id": draft_id}, store=store))
    assert anonymous["node"] is None
    designer = ok(await run_query(query, {"id": draft_id}, DESIGNER, store=store))
    assert designer["node"] == {"id": draft_id, "code": "GEN-A", "framework": FW}
