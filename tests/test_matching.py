"""Matching both ways on the reference seed: the store's ranking against a ranking computed
here from each student's own report, paging, reasons with evidence, tenancy and errors."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from graph import analytics, learners, matching
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.ids import element_uid
from schema import Context, Principal, Role, build_schema
from seed import load_seed
from tests.learner_data import (
    CERTIFICATIONS,
    COLLEGE,
    FW,
    GZ_ASSESSMENTS,
    OTHER_COLLEGE,
    PROGRAM,
    result,
    student,
)

JOB = "JOB-IT-02"
JOB_NEEDS = Cypher(
    "MATCH (j:JobRole {fw: $fw})-[n:NEEDS]->(c:Competency) "
    "RETURN j.code AS job, j.industry AS industry, c.code AS competency, "
    "n.proficiency AS required, n.essential AS essential"
)
ADMIN = Principal(Role.ADMIN, "admin")
OWN = Principal(Role.COLLEGE, "college", college=COLLEGE)
OTHER = Principal(Role.COLLEGE, "college", college=OTHER_COLLEGE)
CODES = [f"S{i:03d}" for i in range(1, 13)]


async def _cohort(store: EmbeddedStore) -> None:
    """Twelve students with random (seeded) results and certifications, some identical so
    ties occur, plus one student of another college."""
    await load_seed(store)
    rows = [student(code, class_label="AI-2401" if i % 2 else "AI-2402")
            for i, code in enumerate(CODES)]
    rows.append(student("S900", college=OTHER_COLLEGE, program="P-AI-BK"))
    assert (await learners.record_students(store, rows, FW)).ok
    rng = random.Random(13)
    results, certs = [], []
    for i, code in enumerate(CODES[:-2]):  # the last two have no evidence at all: a tie
        for day, assessment in enumerate(rng.sample(GZ_ASSESSMENTS, rng.randint(1, 7))):
            results.append(result(code, assessment, rng.choice([40, 60, 75, 90]),
                                  f"2025-03-{day + 1:02d}"))
        if i % 3 == 0:
            certs.append({"college": COLLEGE, "student": code,
                          "certification": rng.choice(CERTIFICATIONS), "heldOn": "2025-05-01"})
    results += [result("S900", a, 90, "2025-04-01", college=OTHER_COLLEGE)
                for a in ("A-GEN-BK-01", "A-GEN-BK-02", "A-GEN-BK-03", "A-GEN-BK-04")]
    assert (await learners.record_results(store, results)).ok
    assert (await learners.record_certifications(store, certs)).ok


async def _expected(store: EmbeddedStore, codes: list[str], job: str) -> list[tuple[Any, ...]]:
    """The ranking as the rules state it, from each student's own standing (not the query)."""
    needs = [r for r in await store.read(JOB_NEEDS, {"fw": FW}) if r["job"] == job]
    ranked = []
    for code in codes:
        record = await analytics.student_record(store, learners.student_uid(COLLEGE, code))
        assert record is not None
        attained = {s.code: s.attained for s in
                    (await analytics.student_report(store, record)).standings}
        met = sum(min(attained.get(n["competency"], 0), n["required"]) for n in needs)
        missing = sum(1 for n in needs if n["essential"]
                      and attained.get(n["competency"], 0) < n["required"])
        if met > 0:  # a student attaining nothing towards the job is no candidate
            ranked.append((missing, -met, code))
    return sorted(ranked)


async def test_candidates_rank_as_the_rules_say_and_page_without_gaps(
        store: EmbeddedStore) -> None:
    await _cohort(store)
    job = element_uid(FW, JOB)
    expected = await _expected(store, CODES, JOB)
    pages: list[matching.Candidate] = []
    for offset in range(0, len(CODES) + 3, 5):
        pages += await matching.candidates(store, job, college=COLLEGE, offset=offset, limit=5)
    assert [(c.essential_missing, -c.met_total, c.student["code"]) for c in pages] == expected
    assert [c.rank for c in pages] == list(range(1, len(expected) + 1))
    assert len({c.essential_missing for c in pages}) > 1, "the data should exercise the order"
    assert len(expected) < len(CODES), "the two students without evidence are no candidates"
    assert await matching.candidate_count(store, job, college=COLLEGE) == len(expected)
    # the other college's student is not ranked with this college's, but with all of them;
    # ranking all (the holders' query) and ranking one college (each student's) agree
    everyone = await matching.candidates(store, job, college=None, limit=100)
    assert "S900" not in {c.student["code"] for c in pages}
    assert "S900" in {c.student["code"] for c in everyone}
    assert [(c.essential_missing, -c.met_total, c.student["code"]) for c in everyone
            if c.student["college"] == COLLEGE] == expected
    assert [c.rank for c in everyone] == list(range(1, len(everyone) + 1))
    assert len(everyone) == await matching.candidate_count(store, job, college=None)


async def test_a_page_is_one_store_query(store: EmbeddedStore) -> None:
    await _cohort(store)
    job = element_uid(FW, JOB)
    for college in (COLLEGE, None):
        before = store.round_trips
        page = await matching.candidates(store, job, college=college, offset=2, limit=3)
        assert store.round_trips - before == 1 and len(page) == 3
        assert [c.rank for c in page] == [3, 4, 5]
    before = store.round_trips
    assert await matching.job_matches(store, learners.student_uid(COLLEGE, CODES[0]), limit=5)
    assert store.round_trips - before == 1


async def test_scopes_narrow_to_a_class(store: EmbeddedStore) -> None:
    await _cohort(store)
    job = element_uid(FW, JOB)
    odd = [code for i, code in enumerate(CODES) if i % 2]
    found = await matching.candidates(store, job, college=COLLEGE, class_label="AI-2401",
                                      program=element_uid(FW, PROGRAM), limit=100)
    assert [(c.essential_missing, -c.met_total, c.student["code"]) for c in found] == (
        await _expected(store, odd, JOB))
    assert await matching.candidate_count(store, job, college=COLLEGE,
                                          class_label="AI-2401") == len(found)


async def test_reasons_carry_gaps_and_the_evidence_behind_each_value(
        store: EmbeddedStore) -> None:
    await _cohort(store)
    best = (await matching.candidates(store, element_uid(FW, JOB), college=COLLEGE,
                                      limit=1))[0]
    record = await analytics.student_record(store, best.student["uid"])
    assert record is not None
    standing = {s.code: s for s in (await analytics.student_report(store, record)).standings}
    assert best.needs and [n.essential for n in best.needs] == sorted(
        (n.essential for n in best.needs), reverse=True)
    for need in best.needs:
        own = standing.get(need.competency)
        assert need.attained == (own.attained if own else 0)
        assert need.gap == max(0, need.required - need.attained)
        if need.attained:
            assert own is not None and (need.evidence_kind, need.evidence_code,
                                        need.evidence_at) == (
                own.evidence_kind, own.evidence_code, own.evidence_at)
            assert need.evidence_kind in {"assessment", "certification"}
        else:
            assert need.evidence_kind is None
    assert Fraction(best.met_total, best.required) == Fraction(
        sum(min(n.attained, n.required) for n in best.needs),
        sum(n.required for n in best.needs))


async def test_job_matches_rank_every_job_of_the_students_framework(
        store: EmbeddedStore) -> None:
    await _cohort(store)
    uid = learners.student_uid(COLLEGE, CODES[0])
    record = await analytics.student_record(store, uid)
    assert record is not None
    attained = {s.code: s.attained for s in
                (await analytics.student_report(store, record)).standings}
    by_job: dict[str, list[dict[str, Any]]] = {}
    for row in await store.read(JOB_NEEDS, {"fw": FW}):
        by_job.setdefault(row["job"], []).append(row)
    expected = sorted(
        (sum(1 for n in needs if n["essential"]
             and attained.get(n["competency"], 0) < n["required"]),
         -Fraction(sum(min(attained.get(n["competency"], 0), n["required"]) for n in needs),
                   sum(n["required"] for n in needs)), job)
        for job, needs in by_job.items())
    found = []
    for offset in range(0, len(by_job), 10):
        found += await matching.job_matches(store, uid, offset=offset, limit=10)
    assert [(m.essential_missing, -Fraction(m.met_total, m.required), m.job_role["code"])
            for m in found] == expected
    assert await matching.job_match_count(store, uid) == len(by_job)
    it_only = await matching.job_matches(store, uid, industry="IT", level="GZ", limit=100)
    assert it_only and all(m.job_role["industry"] == "IT" and m.job_role["level"] == "GZ"
                           for m in it_only)
    assert len(it_only) == await matching.job_match_count(store, uid, industry="IT",
                                                          level="GZ")


CANDIDATES = """
query($job: String!, $college: String, $first: Int, $after: String) {
  candidates(jobRole: $job, college: $college, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { rank essentialMet coverage student { code }
      gaps { competencyCode gap } needsMet { competencyCode evidence { kind code at } } } } } }
"""
JOB_MATCHES = """
query($student: String!, $college: String, $first: Int) {
  jobMatches(student: $student, college: $college, first: $first) {
    totalCount edges { node { rank coverage essentialMissing jobRole { code }
      needs { competencyCode required attained met essential competency { code } } } } } }
"""


async def _run(store: EmbeddedStore, query: str, variables: dict[str, Any],
               principal: Principal) -> Any:
    return await build_schema().execute(query, variable_values=variables,
                                        context_value=Context(store, principal))


async def test_graphql_pages_and_tenancy(store: EmbeddedStore) -> None:
    await _cohort(store)
    seen: list[str] = []
    after = None
    while True:
        answer = await _run(store, CANDIDATES, {"job": JOB, "first": 5, "after": after}, OWN)
        assert answer.errors is None, answer.errors
        page = answer.data["candidates"]
        assert page["totalCount"] == len(await _expected(store, CODES, JOB))
        seen += [edge["node"]["student"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [code for _, _, code in await _expected(store, CODES, JOB)]
    matches = await _run(store, JOB_MATCHES, {"student": CODES[0], "first": 3}, OWN)
    assert matches.errors is None, matches.errors
    nodes = [e["node"] for e in matches.data["jobMatches"]["edges"]]
    assert [n["rank"] for n in nodes] == [1, 2, 3]
    assert all(need["competency"]["code"] == need["competencyCode"]
               for n in nodes for need in n["needs"])
    # another college's token sees neither this college's candidates nor its students' jobs
    for query, variables in ((CANDIDATES, {"job": JOB, "college": COLLEGE}),
                             (JOB_MATCHES, {"student": CODES[0], "college": COLLEGE})):
        denied = await _run(store, query, variables, OTHER)
        assert denied.errors and denied.errors[0].extensions["code"] == "FORBIDDEN"
        reader = await _run(store, query, variables, Principal(Role.READER, "r"))
        assert reader.errors and reader.errors[0].extensions["code"] == "FORBIDDEN"
    # an admin without a college ranks every college's students
    everyone = await _run(store, CANDIDATES, {"job": JOB, "first": 100}, ADMIN)
    assert everyone.errors is None
    assert everyone.data["candidates"]["totalCount"] == len(
        everyone.data["candidates"]["edges"]) >= len(seen)


async def test_graphql_typed_errors(store: EmbeddedStore) -> None:
    await _cohort(store)
    cases = [
        (CANDIDATES, {"job": "JOB-NONE"}, "UNKNOWN_JOBROLE"),
        (CANDIDATES, {"job": JOB, "first": 1000}, "PAGE_TOO_LARGE"),
        (CANDIDATES, {"job": JOB, "after": "bm90LWEtY3Vyc29y"}, "BAD_CURSOR"),
        (JOB_MATCHES, {"student": "NOBODY"}, "UNKNOWN_STUDENT"),
        (JOB_MATCHES, {"student": CODES[0], "college": None}, "COLLEGE_REQUIRED"),
    ]
    for query, variables, code in cases:
        principal = ADMIN if code == "COLLEGE_REQUIRED" else OWN
        answer = await _run(store, query, variables, principal)
        assert answer.errors, (variables, code)
        assert answer.errors[0].extensions["code"] == code, (variables, answer.errors)
