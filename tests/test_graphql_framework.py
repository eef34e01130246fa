"""Framework browsing through GraphQL on the seeded embedded store."""

from __future__ import annotations

from typing import Any

from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailable
from schema import Principal, Role

DESIGNER = Principal(Role.DESIGNER, "designer-1")

PREREQ_CLOSURE = Cypher(
    "MATCH (:Competency {uid: $uid})-[:REQUIRES*1..]->(p:Competency) "
    "RETURN collect(DISTINCT p.code) AS codes"
)
DIRECT_PREREQS = Cypher(
    "MATCH (:Competency {uid: $uid})-[:REQUIRES]->(p:Competency) RETURN collect(p.code) AS codes"
)
DEEPEST = Cypher(
    "MATCH (c:Competency)-[:REQUIRES*1..]->(p:Competency) "
    "WITH c, count(DISTINCT p) AS n RETURN c.code AS code ORDER BY n DESC, code LIMIT 1"
)


def ok(result: Any) -> dict[str, Any]:
    assert result.errors is None, result.errors
    return result.data  # type: ignore[no-any-return]


async def test_levels_and_layers(run_query: Any) -> None:
    data = ok(await run_query("{ levels { code rank maxProficiency nameZh nameEn } "
                              "layers { code nameZh } strands { code nameZh } }"))
    assert [(lv["code"], lv["maxProficiency"]) for lv in data["levels"]] == [
        ("ZZ", 2), ("GZ", 3), ("BK", 4)]
    assert [layer["code"] for layer in data["layers"]] == ["GEN", "PRO", "IND"]
    assert [s["code"] for s in data["strands"]] == ["ETH"]


async def test_prerequisites_direct_and_transitive(run_query: Any,
                                                   seeded_store: EmbeddedStore) -> None:
    code = (await seeded_store.read(DEEPEST))[0]["code"]
    uid = f"AIL@2025.1|{code}"
    expected_all = sorted((await seeded_store.read(PREREQ_CLOSURE, {"uid": uid}))[0]["codes"])
    direct_rows = await seeded_store.read(DIRECT_PREREQS, {"uid": uid})
    expected_direct = sorted(direct_rows[0]["codes"])
    data = ok(await run_query(
        "query($code: String!) { competency(code: $code) { code "
        "direct: prerequisites { code } all: prerequisites(transitive: true) { code } } }",
        {"code": code}))
    assert sorted(p["code"] for p in data["competency"]["direct"]) == expected_direct
    assert sorted(p["code"] for p in data["competency"]["all"]) == expected_all
    assert len(expected_all) > len(expected_direct) > 0


async def test_dependents_mirror_prerequisites(run_query: Any) -> None:
    data = ok(await run_query(
        "{ competency(code: \"GEN-01\") { dependents(transitive: true) { code "
        "all: prerequisites(transitive: true) { code } } } }"))
    for dependent in data["competency"]["dependents"]:
        assert "GEN-01" in {p["code"] for p in dependent["all"]}


async def test_requirements_progress_across_levels(run_query: Any) -> None:
    data = ok(await run_query(
        "{ competency(code: \"GEN-01\") { requirements { levelCode target { value } "
        "descriptorZh descriptorEn progressesTo { code levelCode } } } }"))
    requirements = data["competency"]["requirements"]
    assert [r["levelCode"] for r in requirements] == ["ZZ", "GZ", "BK"]
    assert requirements[0]["progressesTo"][0]["code"] == "GEN-01@GZ"
    assert all(r["descriptorZh"] and r["descriptorEn"] for r in requirements)


async def test_competencies_filter_and_page(run_query: Any) -> None:
    query = ("query($after: String) { competencies(layer: GEN, first: 5, after: $after) "
             "{ totalCount pageInfo { hasNextPage endCursor } "
             "edges { node { code layerCode } } } }")
    seen: list[str] = []
    after = None
    total = None
    while True:
        page = ok(await run_query(query, {"after": after}))["competencies"]
        total = page["totalCount"]
        seen += [edge["node"]["code"] for edge in page["edges"]]
        assert all(edge["node"]["layerCode"] == "GEN" for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == total == len(set(seen)) and seen == sorted(seen)


async def test_search_matches_chinese_and_english(run_query: Any) -> None:
    zh = ok(await run_query("{ competencies(search: \"伦理\") { totalCount nodes { nameZh } } }"))
    assert zh["competencies"]["totalCount"] > 0
    assert all("伦理" in n["nameZh"] for n in zh["competencies"]["nodes"])
    en = ok(await run_query("{ competencies(search: \"PRIVACY\") { nodes { nameEn } } }"))
    assert en["competencies"]["nodes"]
    assert all("privacy" in n["nameEn"].lower() for n in en["competencies"]["nodes"])


async def test_strand_filter_finds_ethics_competencies(run_query: Any) -> None:
    data = ok(await run_query(
        "{ competencies(strand: \"ETH\", first: 100) { totalCount nodes { strandCodes } } }"))
    assert data["competencies"]["totalCount"] >= 12
    assert all("ETH" in n["strandCodes"] for n in data["competencies"]["nodes"])


async def test_page_size_is_capped(run_query: Any) -> None:
    result = await run_query("{ competencies(first: 1000) { totalCount } }")
    assert result.errors and result.errors[0].extensions["code"] == "PAGE_TOO_LARGE"


async def test_bad_cursor_is_a_typed_error(run_query: Any) -> None:
    result = await run_query("{ competencies(after: \"nonsense\") { totalCount } }")
    assert result.errors[0].extensions["code"] == "BAD_CURSOR"


async def test_unknown_framework_is_a_typed_error(run_query: Any) -> None:
    result = await run_query("{ competencies(framework: \"AIL@1.0\") { totalCount } }")
    assert result.errors[0].extensions["code"] == "FRAMEWORK_NOT_FOUND"


async def test_courses_and_assessments_link_back(run_query: Any) -> None:
    data = ok(await run_query(
        "{ competency(code: \"GEN-01\") { taughtBy { course { code teaches { competency "
        "{ code } } } proficiency { value } } measuredBy { assessment { code levelCode } "
        "weight } } }"))
    taught = data["competency"]["taughtBy"]
    assert taught and all(
        "GEN-01" in {t["competency"]["code"] for t in item["course"]["teaches"]}
        for item in taught)
    assert data["competency"]["measuredBy"]


async def test_level_requirements_of_a_major(run_query: Any) -> None:
    majors = ok(await run_query("{ majors(level: GZ, first: 1) { nodes { code } } }"))
    major = majors["majors"]["nodes"][0]["code"]
    data = ok(await run_query(
        "query($m: String) { levelRequirements(level: GZ, major: $m) { layer { code } "
        "requirements { levelCode competencyCode progressesFrom { levelCode } } } }",
        {"m": major}))
    by_layer = {group["layer"]["code"]: group["requirements"] for group in data[
        "levelRequirements"]}
    assert by_layer["GEN"] and by_layer["PRO"]
    assert all(r["levelCode"] == "GZ" for reqs in by_layer.values() for r in reqs)


async def test_unknown_major_is_a_typed_error(run_query: Any) -> None:
    result = await run_query("{ levelRequirements(level: GZ, major: \"NOPE\") "
                             "{ layer { code } } }")
    assert result.errors[0].extensions["code"] == "UNKNOWN_MAJOR"


async def test_query_cost_is_limited(run_query: Any) -> None:
    result = await run_query(
        "{ competencies(first: 100) { nodes { dependents { dependents { dependents { "
        "taughtBy { course { teaches { competency { code } } } } } } } } } }")
    assert result.errors and result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"


async def test_query_depth_is_limited(run_query: Any) -> None:
    nested = "code"
    for _ in range(14):
        nested = f"prerequisites {{ {nested} }}"
    result = await run_query(f"{{ competency(code: \"GEN-01\") {{ {nested} }} }}")
    assert result.errors and result.errors[0].extensions["code"] == "QUERY_TOO_DEEP"


async def test_drafts_are_hidden_from_anonymous_callers(run_query: Any,
                                                        store: EmbeddedStore) -> None:
    await store.write(Cypher(
        "MERGE (f:Framework {uid: 'AIL@9.9'}) SET f.code = 'AIL', f.version = '9.9', "
        "f.status = 'draft', f.nameZh = '草案', f.nameEn = 'Draft'"))
    anonymous = await run_query("{ frameworks { id } }", store=store)
    assert anonymous.data == {"frameworks": []}
    denied = await run_query("{ framework(id: \"AIL@9.9\") { id } }", store=store)
    assert denied.errors[0].extensions["code"] == "FRAMEWORK_NOT_FOUND"
    seen = await run_query("{ framework(id: \"AIL@9.9\") { id status } }", store=store,
                           principal=DESIGNER)
    assert seen.data == {"framework": {"id": "AIL@9.9", "status": "DRAFT"}}


async def test_a_dead_engine_is_reported_as_unavailable(run_query: Any, tmp_path: Any) -> None:
    broken = await EmbeddedStore.start(tmp_path / "gone")
    assert broken._server is not None
    broken._server.stop()  # the engine dies under the service: retry later, not a bug
    result = await run_query("{ competencies { totalCount } }", store=broken)
    assert isinstance(result.errors[0].original_error, StoreUnavailable)
    await broken.close()


async def test_the_published_framework_is_the_default(run_query: Any) -> None:
    data = ok(await run_query("{ framework { id status publishedAt createdAt } }"))
    framework = data["framework"]
    assert (framework["id"], framework["status"]) == ("AIL@2025.1", "PUBLISHED")
    assert framework["publishedAt"] and framework["createdAt"]
