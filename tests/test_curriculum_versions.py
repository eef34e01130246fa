"""Framework versions (动态迭代): a new draft copies every element and links it to its
predecessor; it can be edited, diffed and published; published versions are frozen."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from graph import versions
from graph.cypher import Cypher
from graph.editing import Actor
from graph.embedded import EmbeddedStore
from graph.migrations import VERSIONED_LABELS
from schema import Principal, Role
from seed import load_seed

DESIGNER = Principal(Role.DESIGNER, "designer-7")
OLD, NEW = "AIL@2025.1", "AIL@2026.1"

LABELS_OF = Cypher(
    "MATCH (n) WHERE n.fw = $fw AND NOT n:AuditEntry RETURN labels(n)[0] AS label, count(*) AS n"
)
EDGES_OF = Cypher(
    "MATCH (a)-[r]->(b) WHERE (a.fw = $fw OR b.fw = $fw) AND NOT a:AuditEntry "
    "AND type(r) <> 'PREVIOUS_VERSION' "
    "RETURN type(r) AS type, labels(a)[0] AS source, labels(b)[0] AS target, count(*) AS n"
)
CONTENT_OF = Cypher(
    "MATCH (n) WHERE n.fw = $fw AND NOT n:AuditEntry OPTIONAL MATCH (n)-[r]->(m) "
    "WHERE type(r) <> 'PREVIOUS_VERSION' "
    "RETURN labels(n)[0] AS label, n.code AS code, properties(n) AS props, type(r) AS type, "
    "m.code AS target, properties(r) AS edge"
)
LINEAGE = Cypher(
    "MATCH (n {fw: $fw})-[:PREVIOUS_VERSION]->(o) "
    "RETURN labels(n)[0] AS label, n.code AS code, o.code AS old, o.fw AS oldFw"
)
FRAMEWORK = Cypher("MATCH (f:Framework {uid: $uid}) RETURN f {.*} AS node")
FRAMEWORK_LINK = Cypher(
    "MATCH (:Framework {uid: $uid})-[:PREVIOUS_VERSION]->(o:Framework) RETURN o.uid AS uid"
)

CREATE = """
mutation($from: ID!, $version: String!) {
  createFrameworkVersion(from: $from, version: $version) {
    errors { code message field } framework { id code version status } auditEntryId
  }
}"""
PUBLISH = "mutation($id: ID!) { publishFramework(id: $id) { errors { code } " \
          "framework { id status } } }"
DEPRECATE = "mutation($id: ID!) { deprecateFramework(id: $id) { errors { code } " \
            "framework { id status } } }"
EDIT = """
mutation($fw: ID!, $input: [CompetencyInput!]!) {
  upsertCompetencies(framework: $fw, input: $input) { errors { code message } codes }
}"""
REMOVE = """
mutation($fw: ID!, $codes: [String!]!) {
  removeCompetencies(framework: $fw, codes: $codes) { errors { code message } }
}"""
DIFF = """
query($from: ID!, $to: ID!) {
  frameworkDiff(from: $from, to: $to) {
    from to
    competencies { added removed changed { code changes { field oldValue newValue } } }
    requirements { added removed changed { code changes { field oldValue newValue } } }
    affectedPrograms { code frameworks competencyCodes }
  }
}"""


def ok(result: Any, field: str) -> dict[str, Any]:
    assert result.errors is None, result.errors
    return result.data[field]  # type: ignore[no-any-return]


@pytest.fixture
async def seeded(store: EmbeddedStore) -> EmbeddedStore:
    await load_seed(store)
    return store


async def new_version(run_query: Any, store: EmbeddedStore, version: str = "2026.1",
                      source: str = OLD) -> dict[str, Any]:
    return ok(await run_query(CREATE, {"from": source, "version": version}, DESIGNER,
                              store=store), "createFrameworkVersion")


async def test_a_new_version_copies_every_element_and_edge(run_query: Any,
                                                           seeded: EmbeddedStore) -> None:
    old_content = sorted(map(repr, await seeded.read(CONTENT_OF, {"fw": OLD})))
    answer = await new_version(run_query, seeded)
    assert answer["errors"] == [] and answer["auditEntryId"]
    assert answer["framework"] == {"id": NEW, "code": "AIL", "version": "2026.1",
                                   "status": "DRAFT"}
    labels = {fw: {r["label"]: r["n"] for r in await seeded.read(LABELS_OF, {"fw": fw})}
              for fw in (OLD, NEW)}
    assert labels[OLD] == labels[NEW]
    assert set(labels[NEW]) == set(VERSIONED_LABELS)
    edges = {fw: {(r["type"], r["source"], r["target"]): r["n"]
                  for r in await seeded.read(EDGES_OF, {"fw": fw})} for fw in (OLD, NEW)}
    assert edges[OLD] == edges[NEW]
    assert ("TARGETS", "Program", "Competency") in edges[NEW]
    lineage = await seeded.read(LINEAGE, {"fw": NEW})
    assert len(lineage) == sum(labels[NEW].values())
    assert all(r["code"] == r["old"] and r["oldFw"] == OLD for r in lineage)
    # The old version is untouched, and the new one has no seed hash of its own.
    assert sorted(map(repr, await seeded.read(CONTENT_OF, {"fw": OLD}))) == old_content
    framework = (await seeded.read(FRAMEWORK, {"uid": NEW}))[0]["node"]
    assert framework.get("contentHash") is None and framework["previousVersion"] == OLD
    assert framework.get("publishedAt") is None
    assert await seeded.read(FRAMEWORK_LINK, {"uid": NEW}) == [{"uid": OLD}]
    # Re-loading the seed still finds its own version unchanged.
    assert (await load_seed(seeded)).status == "unchanged"


async def test_version_rules(run_query: Any, seeded: EmbeddedStore) -> None:
    await new_version(run_query, seeded)
    for source, version, code in ((OLD, "2026.1", "FRAMEWORK_EXISTS"),
                                  (OLD, "2026 spring", "INVALID_VERSION"),
                                  (OLD, "", "INVALID_VERSION"),
                                  ("AIL@1999", "2026.2", "FRAMEWORK_NOT_FOUND")):
        answer = await new_version(run_query, seeded, version, source)
        assert [e["code"] for e in answer["errors"]] == [code]
        assert answer["framework"] is None
    for document, field, target, code in (
        (PUBLISH, "publishFramework", OLD, "INVALID_STATUS"),  # published already
        (DEPRECATE, "deprecateFramework", NEW, "INVALID_STATUS"),  # still a draft
        (PUBLISH, "publishFramework", "AIL@1999", "FRAMEWORK_NOT_FOUND"),
    ):
        answer = ok(await run_query(document, {"id": target}, DESIGNER, store=seeded), field)
        assert [e["code"] for e in answer["errors"]] == [code]


async def test_make_edit_diff_publish(run_query: Any, seeded: EmbeddedStore) -> None:
    await new_version(run_query, seeded)
    edited = ok(await run_query(EDIT, {"fw": NEW, "input": [
        {"code": "GEN-01", "nameEn": "What AI is"},
        {"code": "GEN-02", "requirements": [
            {"level": "ZZ", "proficiency": 2, "descriptorZh": "能说明常见技术的工作方式",
             "descriptorEn": "Explains how common technologies work"},
            {"level": "GZ", "proficiency": 2, "descriptorZh": "描述", "descriptorEn": "d"}]},
        {"code": "GEN-99", "layer": "GEN", "nameZh": "新能力", "nameEn": "New competency",
         "source": "design: added in 2026.1", "requires": ["GEN-01"], "requirements": [
             {"level": "GZ", "proficiency": 2, "descriptorZh": "描述", "descriptorEn": "d"}]},
    ]}, DESIGNER, store=seeded), "upsertCompetencies")
    assert edited["errors"] == []
    diff = ok(await run_query(DIFF, {"from": OLD, "to": NEW}, DESIGNER, store=seeded),
              "frameworkDiff")
    assert (diff["from"], diff["to"]) == (OLD, NEW)
    competencies = diff["competencies"]
    assert competencies["added"] == ["GEN-99"] and competencies["removed"] == []
    changed = {c["code"]: {f["field"]: (f["oldValue"], f["newValue"]) for f in c["changes"]}
               for c in competencies["changed"]}
    assert changed["GEN-01"] == {"nameEn": ("Basic concepts of AI", "What AI is")}
    assert changed["GEN-02"] == {"levels": (["ZZ", "GZ", "BK"], ["ZZ", "GZ"])}
    requirements = diff["requirements"]
    assert requirements["added"] == ["GEN-99@GZ"]
    assert requirements["removed"] == ["GEN-02@BK"]
    req_changes = {c["code"]: {f["field"]: (f["oldValue"], f["newValue"]) for f in c["changes"]}
                   for c in requirements["changed"]}
    assert req_changes["GEN-02@ZZ"]["proficiency"] == (1, 2)
    assert req_changes["GEN-02@GZ"]["progressesTo"] == (["GEN-02@BK"], [])
    affected = {p["code"]: p for p in diff["affectedPrograms"]}
    gz = next(code for code in affected if code.endswith("-GZ"))
    assert affected[gz]["frameworks"] == [OLD, NEW]
    assert {"GEN-01", "GEN-02", "GEN-99"} <= set(affected[gz]["competencyCodes"])
    bk = next(code for code in affected if code.endswith("-BK"))
    assert "GEN-02" in affected[bk]["competencyCodes"]  # its BK requirement is gone
    assert "GEN-99" not in affected[bk]["competencyCodes"]  # asked at GZ only
    # Readers cannot diff against a draft.
    result = await run_query(DIFF, {"from": OLD, "to": NEW}, store=seeded)
    assert result.errors[0].extensions["code"] == "FRAMEWORK_NOT_FOUND"
    # Publish: frozen from now on, and the default version for readers.
    published = ok(await run_query(PUBLISH, {"id": NEW}, DESIGNER, store=seeded),
                   "publishFramework")
    assert published == {"errors": [], "framework": {"id": NEW, "status": "PUBLISHED"}}
    framework = (await seeded.read(FRAMEWORK, {"uid": NEW}))[0]["node"]
    assert framework["publishedAt"] >= framework["createdAt"]
    refused = ok(await run_query(EDIT, {"fw": NEW, "input": [{"code": "GEN-01",
                                                              "nameEn": "Again"}]},
                                 DESIGNER, store=seeded), "upsertCompetencies")
    assert [e["code"] for e in refused["errors"]] == ["FRAMEWORK_FROZEN"]
    latest = ok(await run_query("{ framework { id } }", store=seeded), "framework")
    assert latest == {"id": NEW}
    deprecated = ok(await run_query(DEPRECATE, {"id": OLD}, DESIGNER, store=seeded),
                    "deprecateFramework")
    assert deprecated["framework"] == {"id": OLD, "status": "DEPRECATED"}
    # A deprecated version stays readable (records judged against it), but is no default.
    readable = ok(await run_query(f'{{ framework(id: "{OLD}") {{ status }} '
                                  "frameworks { id status } }", store=seeded), "frameworks")
    assert {(f["id"], f["status"]) for f in readable} == {(OLD, "DEPRECATED"),
                                                          (NEW, "PUBLISHED")}
    assert ok(await run_query("{ framework { id } }", store=seeded), "framework") == {"id": NEW}
    # A version made from the new one links back to it.
    third = await new_version(run_query, seeded, "2027.1", NEW)
    assert third["framework"]["id"] == "AIL@2027.1"
    assert await seeded.read(FRAMEWORK_LINK, {"uid": "AIL@2027.1"}) == [{"uid": NEW}]


async def test_a_removed_competency_shows_in_the_diff(run_query: Any,
                                                      seeded: EmbeddedStore) -> None:
    await new_version(run_query, seeded)
    leaf = "GEN-99"
    ok(await run_query(EDIT, {"fw": NEW, "input": [{
        "code": leaf, "layer": "GEN", "nameZh": "新能力", "nameEn": "New", "source": "design: x",
        "requirements": [{"level": "ZZ", "proficiency": 1, "descriptorZh": "描述",
                          "descriptorEn": "d"}]}]}, DESIGNER, store=seeded), "upsertCompetencies")
    assert ok(await run_query(REMOVE, {"fw": NEW, "codes": [leaf]}, DESIGNER, store=seeded),
              "removeCompetencies")["errors"] == []
    diff = ok(await run_query(DIFF, {"from": OLD, "to": NEW}, DESIGNER, store=seeded),
              "frameworkDiff")
    assert diff["competencies"] == {"added": [], "removed": [], "changed": []}
    third = await new_version(run_query, seeded, "2026.2", NEW)
    assert third["errors"] == []
    in_use = ok(await run_query(REMOVE, {"fw": "AIL@2026.2", "codes": ["GEN-01"]}, DESIGNER,
                                store=seeded), "removeCompetencies")
    assert [e["code"] for e in in_use["errors"]] == ["IN_USE"]


async def test_an_interrupted_copy_is_resumed(seeded: EmbeddedStore) -> None:
    actor = Actor("designer-7", "designer")
    params = {"from": OLD, "to": NEW, "version": "2026.1", "at": "2026-01-01T00:00:00+00:00"}
    await seeded.write(versions.START_COPY, params)
    for _, query in versions.COPY_STEPS[:5]:  # the process died here
        await seeded.write(query, {"from": OLD, "to": NEW})
    framework = (await seeded.read(FRAMEWORK, {"uid": NEW}))[0]["node"]
    assert framework["status"] == "copying"
    result = await versions.create_version(seeded, OLD, "2026.1", actor)
    assert result.errors == [] and result.framework is not None
    assert result.framework["status"] == "draft"
    labels = {fw: Counter({r["label"]: r["n"] for r in await seeded.read(LABELS_OF, {"fw": fw})})
              for fw in (OLD, NEW)}
    assert labels[OLD] == labels[NEW]
    again = await versions.create_version(seeded, OLD, "2026.1", actor)
    assert [e.code for e in again.errors] == ["FRAMEWORK_EXISTS"]
