"""The fast path gives graphql-core's answers, byte for byte, or declines.

Every document runs both ways against the seeded store (the demo's, for student reports):
through ``schema.fastpath`` (what the HTTP view serves) and through ``graphql.execute`` (the
resolvers); the JSON texts, key order included, must be equal. Documents the fast path does
not take, and requests it gives up on, must come back as ``None`` so graphql-core answers
them.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import pytest
from graphql import ExecutionResult, OperationDefinitionNode, execute, parse, validate
from starlette.applications import Starlette
from starlette.routing import Route

from bench.http_figures import GAP_QUERY
from bench.peer.queries import PROJECT
from graph.editing import Actor
from graph.embedded import EmbeddedStore
from graph.framework_cache import FrameworkCache
from graph.versions import create_version
from schema import ANONYMOUS, Context, Principal, Role
from schema.fastpath import FastPath
from schema.limits import QueryLimits
from seed import load_seed
from service.graphql_http import GraphQLView, HttpLimits

FIELDS = ("__typename id code nameZh nameEn descriptionZh descriptionEn source levelCodes "
          "layerCode strandCodes framework")
REQUIREMENT = ("__typename id code levelCode competencyCode descriptorZh descriptorEn source "
               "framework target { __typename value nameZh nameEn }")
SAME: list[tuple[str, Any]] = [
    (PROJECT["a"], {}),
    (PROJECT["b"], {"code": "GEN-28"}),
    (PROJECT["b"], {"code": "NOPE-1"}),
    ("query($after: String) { competencies(first: 7, layer: PRO, after: $after) { "
     "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
     f"edges {{ cursor node {{ {FIELDS} }} }} }} }}", {"after": None}),
    ("query($after: String) { competencies(first: 7, layer: PRO, after: $after) { "
     "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
     f"edges {{ cursor node {{ {FIELDS} }} }} }} }}", "cursor"),
    ("{ c: competency(code: \"GEN-28\") { code all: prerequisites(transitive: true) { code } "
     "direct: prerequisites { code dependents { code } } dependents(transitive: true) { code } "
     f"gz: requirement(level: GZ) {{ {REQUIREMENT} progressesTo {{ code levelCode }} "
     "progressesFrom { code } } zz: requirement(level: ZZ) { code } "
     "bk: requirement(level: BK) { code } "
     f"requirements {{ {REQUIREMENT} progressesFrom {{ code }} }} }} "
     "d: competency(code: \"GEN-01\", framework: \"AIL@2025.1\") { code dependents { code } } }",
     {}),
    ("query($s: String, $n: Int, $l: LevelCode) { competencies(search: $s, first: $n, level: $l) "
     "{ totalCount nodes { code levelCodes } } }", {"s": "AI", "n": 100, "l": "BK"}),
    ("query($st: String, $m: String, $i: String) { a: competencies(strand: $st, first: 100) "
     "{ totalCount nodes { code } } b: competencies(major: $m) { totalCount nodes { code } } "
     "c: competencies(industry: $i, first: 0) { totalCount pageInfo { hasNextPage "
     "startCursor } edges { cursor } } }", {"st": "ETH", "m": "M-AI", "i": "AUTO"}),
    # the web app's map (web/src/views/map.ts): majors and industries from the cache too
    ("query All($after: String) { competencies(first: 100, after: $after) { "
     "totalCount pageInfo { hasNextPage endCursor } "
     "nodes { code nameZh nameEn layerCode strandCodes levelCodes "
     "major { __typename code nameZh nameEn levels catalogCodes source framework "
     "industry { code nameEn } } industry { __typename code nameZh nameEn source framework } "
     "} } }", {"after": None}),
    ("query Cell($level: LevelCode!, $layer: LayerCode) { competencies(level: $level, "
     "layer: $layer, first: 100) { totalCount nodes { code major { code nameZh } "
     "industry { code nameZh } requirement(level: $level) { descriptorZh descriptorEn "
     "target { value } } } } }", {"level": "GZ", "layer": "IND"}),
]
DECLINED = [
    "{ competencies { ...F } } fragment F on CompetencyConnection { totalCount }",
    "{ competencies { totalCount @include(if: true) } }",
    "{ competency(code: \"GEN-01\") { code taughtBy { course { code } } } }",
    "{ competency(code: \"GEN-01\") { code code } }",
    "{ framework { id } }",
    "{ competency(code: \"GEN-01\") { layer { code } } }",
]
GIVEN_UP = [  # each an error (or a draft) that graphql-core reports in its own way
    ("{ competencies(first: 1000) { totalCount } }", {}),
    ("{ competencies(after: \"bm90IG91cnM=\") { totalCount } }", {}),
    ("{ competency(code: \"GEN-01\", framework: \"AIL@1999\") { code } }", {}),
    ("query($n: Int!) { competencies(first: $n) { totalCount } }", {"n": "many"}),
]


def _operation(document: Any) -> OperationDefinitionNode:
    return next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


async def _both(schema: Any, store: EmbeddedStore, text: str, variables: dict[str, Any],
                principal: Principal = ANONYMOUS, cache: FrameworkCache | None = None
                ) -> tuple[ExecutionResult | None, ExecutionResult]:
    document = parse(text)
    assert validate(schema._schema, document) == [], text  # as the view checks first
    cache = cache or FrameworkCache()
    plan = FastPath(schema._schema).plan(document, _operation(document))
    fast = None
    if plan is not None:
        fast = await plan.run(Context(store, principal, cache=cache), variables)
    slow = execute(schema._schema, document, variable_values=variables,
                   context_value=Context(store, principal, cache=cache),
                   executor_class=schema.execution_context_class)
    if not isinstance(slow, ExecutionResult):
        slow = await slow
    return fast, slow


def _text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


async def test_the_fast_path_gives_graphql_cores_answers(schema: Any,
                                                         seeded_store: EmbeddedStore) -> None:
    cursor = None
    shared = FrameworkCache()  # the second run of each document reuses the built objects
    for (text, variables), _ in itertools.product(SAME, range(2)):
        if variables == "cursor":
            variables = {"after": cursor}
        fast, slow = await _both(schema, seeded_store, text, variables, cache=shared)
        assert slow.errors is None, slow.errors
        assert fast is not None, text
        assert fast.errors is None
        assert _text(fast.data) == _text(slow.data), text
        if "pageInfo" in text and cursor is None:
            assert slow.data is not None
            cursor = slow.data["competencies"]["pageInfo"]["endCursor"]
    assert cursor is not None
    a, _ = await _both(schema, seeded_store, PROJECT["a"], {})
    assert a is not None and a.data is not None
    nodes = a.data["competencies"]["nodes"]  # not an empty answer compared with itself
    assert len(nodes) == 50 and sum(len(n["requirements"]) for n in nodes) > 100
    assert sum(len(n["prerequisites"]) for n in nodes) > 10
    b, _ = await _both(schema, seeded_store, PROJECT["b"], {"code": "GEN-28"})
    assert b is not None and b.data is not None
    assert len(b.data["competency"]["prerequisites"]) == 18
    cell, _ = await _both(schema, seeded_store, SAME[-1][0], SAME[-1][1])
    assert cell is not None and cell.data is not None
    cells = cell.data["competencies"]["nodes"]
    assert cells and all(n["industry"] and n["requirement"] for n in cells)


@pytest.mark.parametrize("text", DECLINED)
def test_what_the_fast_path_declines(schema: Any, text: str) -> None:
    document = parse(text)
    assert FastPath(schema._schema).plan(document, _operation(document)) is None


async def test_errors_go_to_graphql_core(schema: Any, seeded_store: EmbeddedStore) -> None:
    for text, variables in GIVEN_UP:
        fast, slow = await _both(schema, seeded_store, text, variables)
        assert fast is None, text
        assert slow.errors, text


async def test_drafts_go_to_graphql_core(schema: Any, store: EmbeddedStore) -> None:
    await load_seed(store)
    made = await create_version(store, "AIL@2025.1", "2026.1", Actor("d-1", "designer"))
    assert made.framework is not None
    designer = Principal(Role.DESIGNER, "d-1")
    for framework in ("AIL@2026.1", None):
        fast, slow = await _both(schema, store, "query($fw: ID) { competencies("
                                 "framework: $fw, first: 3) { nodes { code prerequisites "
                                 "{ code } } } }", {"fw": framework}, designer)
        assert slow.errors is None and slow.data is not None
        assert len(slow.data["competencies"]["nodes"]) == 3
        if framework is None:  # the published default: fast and equal
            assert fast is not None and _text(fast.data) == _text(slow.data)
        else:
            assert fast is None


# Student reports: the demo's students (service/demo.py), with results and certificates.
ADMIN = Principal(Role.ADMIN, "admin")
GZ = Principal(Role.COLLEGE, "office-gz", "COL-DEMO-GZ")
BK = Principal(Role.COLLEGE, "office-bk", "COL-DEMO-BK")
STANDING = "competencyCode layerCode required attained gap evidence { __typename kind code at }"
REPORT = (f"code college classLabel enrolledOn framework levelCode programCode "
          f"standing {{ {STANDING} }} "
          "readiness { __typename dimension nameZh nameEn required attained ratio } "
          "placement { layerCode levelCode } "
          "gaps { target totalGap items { competencyCode gap } readiness { dimension ratio } }")
STUDENT_SAME: list[tuple[str, dict[str, Any], Principal]] = [
    (GAP_QUERY, {"code": "S00001", "college": "COL-DEMO-GZ"}, ADMIN),
    (PROJECT["c"], {"code": "S00002"}, GZ),  # a college token: its own college by default
    (f"{{ student(code: \"S00003\", college: \"COL-DEMO-GZ\") {{ {REPORT} }} }}", {}, GZ),
    ("query($g: Boolean!, $l: LayerCode) { s: student(code: \"S00004\") { "
     f"all: standing {{ competencyCode }} gaps: standing(onlyGaps: $g, layer: $l) {{ {STANDING} "
     "} pro: standing(layer: PRO, onlyGaps: false) { competencyCode gap } } "
     "t: student(code: \"S00005\", college: \"COL-DEMO-GZ\") { code placement { levelCode } } }",
     {"g": True, "l": "GEN"}, GZ),
    ("query($code: String!) { student(code: $code, college: \"COL-DEMO-BK\") "
     f"{{ {REPORT} }} }}", {"code": "S00001"}, BK),
    (PROJECT["c"], {"code": "NOBODY-9", "college": "COL-DEMO-GZ"}, ADMIN),  # null, no error
]
STUDENT_GIVEN_UP: list[tuple[str, dict[str, Any], Principal, str]] = [
    (GAP_QUERY, {"code": "S00001", "college": "COL-DEMO-GZ"}, BK, "FORBIDDEN"),
    (GAP_QUERY, {"code": "S00001", "college": "COL-DEMO-GZ"}, ANONYMOUS, "FORBIDDEN"),
    (GAP_QUERY, {"code": "S00001", "college": "COL-DEMO-GZ"},
     Principal(Role.DESIGNER, "d-1"), "FORBIDDEN"),
    (GAP_QUERY, {"code": "S00001"}, ADMIN, "COLLEGE_REQUIRED"),
    ("{ student(code: \"S00001\") { gaps(target: {level: GZ, program: \"P-AI-GZ\"}) "
     "{ target } } }", {}, GZ, "ONE_TARGET"),  # raised in a called resolver
]
STUDENT_DECLINED = [  # fields that need a DataLoader or a store read of their own
    "{ student(code: \"S1\") { program { code } } }",
    "{ student(code: \"S1\") { standing { competency { code } } } }",
    "{ student(code: \"S1\") { placement { layer { code } } } }",
    "{ student(code: \"S1\") { learningPath { totalCredits } } }",
    "{ student(code: \"S1\") { evidence { code } } }",
    "{ students { totalCount } }",
]


async def test_student_reports_give_graphql_cores_answers(schema: Any,
                                                          demo_store: EmbeddedStore) -> None:
    answered: list[Any] = []
    for text, variables, principal in STUDENT_SAME:
        fast, slow = await _both(schema, demo_store, text, variables, principal)
        assert slow.errors is None, (text, slow.errors)
        assert fast is not None, text
        assert fast.errors is None
        assert _text(fast.data) == _text(slow.data), text
        answered.append(fast.data)
    gap = answered[0]["student"]  # not an empty answer compared with itself
    assert gap["standing"] and all(item["gap"] > 0 for item in gap["standing"])
    assert {r["dimension"] for r in gap["readiness"]} == {"GEN", "PRO", "IND", "ETH"}
    full = answered[2]["student"]
    assert any(s["evidence"] for s in full["standing"])
    assert any(s["evidence"] is None for s in full["standing"])
    assert full["gaps"]["target"] == "program:P-AI-GZ" and full["gaps"]["items"]
    gen_gaps = answered[3]["s"]["gaps"]
    assert gen_gaps and all(s["layerCode"] == "GEN" and s["gap"] > 0 for s in gen_gaps)
    assert len(answered[3]["s"]["all"]) > len(answered[3]["s"]["pro"]) > 0
    assert answered[4]["student"]["college"] == "COL-DEMO-BK"
    assert answered[5] == {"student": None}


async def test_student_refusals_and_waiting_fields_go_to_graphql_core(
        schema: Any, demo_store: EmbeddedStore) -> None:
    for text, variables, principal, code in STUDENT_GIVEN_UP:
        fast, slow = await _both(schema, demo_store, text, variables, principal)
        assert fast is None, (text, principal)
        assert slow.errors and slow.errors[0].extensions, slow.errors
        assert slow.errors[0].extensions["code"] == code, slow.errors
    # a gap target is read from the store: the fast path gives up, graphql-core answers
    target = ("{ student(code: \"S00001\") { code gaps(target: {jobRole: \"JOB-IT-01\"}) "
              "{ target totalGap } } }")
    fast, slow = await _both(schema, demo_store, target, {}, GZ)
    assert fast is None
    assert slow.errors is None and slow.data is not None
    assert slow.data["student"]["gaps"]["target"] == "jobRole:JOB-IT-01"


@pytest.mark.parametrize("text", STUDENT_DECLINED)
def test_what_the_fast_path_declines_of_students(schema: Any, text: str) -> None:
    document = parse(text)
    assert FastPath(schema._schema).plan(document, _operation(document)) is None


async def test_the_view_answers_the_gap_query_on_the_fast_path(
        schema: Any, demo_store: EmbeddedStore) -> None:
    paths: list[str] = []
    cache = FrameworkCache()
    view = GraphQLView(schema._schema, limits=QueryLimits(), http=HttpLimits(),
                       context=lambda _request: Context(demo_store, ADMIN, cache=cache),
                       executor_class=schema.execution_context_class,
                       fast_path=FastPath(schema._schema), on_execution=paths.append)
    app = Starlette(routes=[Route("/graphql", view.__call__, methods=["POST"])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = [await client.post("/graphql", json={"query": text, "variables": variables})
                   for text, variables in [
                       (GAP_QUERY, {"code": "S00001", "college": "COL-DEMO-GZ"}),
                       (PROJECT["c"], {"code": "S00002", "college": "COL-DEMO-GZ"}),
                       (GAP_QUERY, {"code": "S00001"})]]
    assert paths == ["fast", "fast", "gave_up"]
    assert answers[0].json()["data"]["student"]["standing"]
    assert answers[1].json()["data"]["student"]["code"] == "S00002"
    assert answers[2].json()["errors"][0]["extensions"]["code"] == "COLLEGE_REQUIRED"
