"""Shared data for the demand and teacher tests: one store with the reference seed, a small
skills-demand history and a college's teachers, loaded once per session (tests only read it,
or write to drafts and stores of their own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from graph import demand, teachers
from graph.editing import Actor
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.migrations import migrate
from seed import load_seed

FW = "AIL@2025.1"
COLLEGE = "COL-DEMO-GZ"
OTHER_COLLEGE = "COL-DEMO-BK"
PROGRAM = "P-AI-GZ"  # its jobs: the IT job roles at GZ (JOB-IT-02, -03, -04)
AS_OF = date(2025, 6, 30)
DESIGNER = Actor("designer-1", "designer")
ENTERPRISE = "云帆智能科技有限公司"
ASSOCIATION = "云帆市人工智能产业协会"
SCHOOL = "云帆职业技术学院"


def record(job: str, competency: str, proficiency: int, importance: int, kind: str,
           source: str, day: str, region: str = "云帆市") -> dict[str, Any]:
    return {"jobRole": job, "competency": competency, "proficiency": proficiency,
            "importance": importance, "sourceKind": kind, "sourceName": source,
            "region": region, "observedOn": day}


DEMAND = [
    # rising 1 → 2 → 3 (one enterprise), then an industry body agrees: above the seed's 2
    record("JOB-IT-02", "IND-IT-05", 1, 4, "enterprise", ENTERPRISE, "2023-03-01"),
    record("JOB-IT-02", "IND-IT-05", 2, 4, "enterprise", ENTERPRISE, "2024-03-01"),
    record("JOB-IT-02", "IND-IT-05", 3, 4, "enterprise", ENTERPRISE, "2025-03-01"),
    record("JOB-IT-02", "IND-IT-05", 3, 5, "industry", ASSOCIATION, "2025-04-10"),
    # rising 2 → 3 to what the seed already asks
    record("JOB-IT-02", "PRO-AI-05", 2, 5, "enterprise", ENTERPRISE, "2023-05-01"),
    record("JOB-IT-02", "PRO-AI-05", 3, 5, "enterprise", ENTERPRISE, "2025-05-01"),
    # above the GZ maximum (3): applying it to a draft caps it
    record("JOB-IT-02", "GEN-17", 4, 5, "industry", ASSOCIATION, "2025-04-10"),
    record("JOB-IT-02", "IND-IT-06", 4, 2, "enterprise", ENTERPRISE, "2025-04-12"),
    # a need the job role does not list yet
    record("JOB-IT-03", "GEN-28", 3, 3, "college", SCHOOL, "2025-02-01"),
    # two sources, 2 and 3 at equal importance: 2.5 rounds half up to 3
    record("JOB-IT-03", "PRO-AI-03", 2, 3, "enterprise", ENTERPRISE, "2025-01-15"),
    record("JOB-IT-03", "PRO-AI-03", 3, 3, "college", SCHOOL, "2025-01-20"),
    # falling 3 → 2, elsewhere
    record("JOB-IT-04", "GEN-26", 3, 2, "enterprise", "海川数据服务公司", "2023-06-01", "海川市"),
    record("JOB-IT-04", "GEN-26", 2, 2, "enterprise", "海川数据服务公司", "2025-06-01", "海川市"),
    # another industry
    record("JOB-AUTO-02", "GEN-07", 2, 4, "enterprise", "海川汽车", "2024-02-01", "海川市"),
    record("JOB-AUTO-02", "GEN-07", 3, 4, "enterprise", "海川汽车", "2025-02-01", "海川市"),
]


def teacher(code: str, courses: list[str], college: str = COLLEGE) -> dict[str, Any]:
    return {"teacher": code, "college": college, "subjects": "人工智能技术应用",
            "courses": courses}


def evidence(code: str, kind: str, layer: str, title: str, day: str, hours: float | None = None,
             role: str | None = None, college: str = COLLEGE) -> dict[str, Any]:
    return {"teacher": code, "college": college, "kind": kind, "layer": layer, "title": title,
            "completedOn": day, "hours": hours, "role": role}


def _tier_one(code: str) -> list[dict[str, Any]]:
    return [evidence(code, "training", "GEN", "通识研修", "2024-09-01", 24),
            evidence(code, "training", "PRO", "专业研修", "2024-10-01", 16),
            evidence(code, "training", "IND", "行业讲座", "2024-11-01", 8)]


def _tier_two(code: str) -> list[dict[str, Any]]:
    return [evidence(code, "training", "GEN", "伦理与社会影响研修", "2024-09-02", 40),
            evidence(code, "training", "PRO", "企业工程师联合培训", "2024-10-02", 64),
            evidence(code, "training", "IND", "行业讲座", "2024-11-02", 8),
            evidence(code, "enterprisePractice", "IND", "企业实践", "2024-07-31", 160),
            evidence(code, "teachingCase", "IND", "产线质检案例", "2025-01-10")]


TEACHERS = [
    teacher("T01", ["C-GEN-GZ-01", "C-PRO-AI-GZ-02"]),  # TT-1; teaches a PRO course below tier
    teacher("T02", ["C-PRO-AI-GZ-01"]),  # TT-2
    teacher("T03", ["C-IND-IT-GZ-02"]),  # TT-3
    teacher("T04", []),  # old evidence only: no tier
    teacher("T05", ["C-GEN-GZ-02"]),  # TT-2, but a member (not core) of the PRO project
    teacher("B01", ["C-GEN-BK-01"], OTHER_COLLEGE),
]
EVIDENCE = [
    *_tier_one("T01"),
    *_tier_two("T02"),
    *_tier_two("T03"),
    evidence("T03", "project", "GEN", "行业大模型语料安全审核", "2025-03-01", role="member"),
    evidence("T03", "project", "PRO", "质检模型研发", "2025-03-15", role="core"),
    evidence("T03", "project", "IND", "产线优化项目", "2025-04-01", 300, role="lead"),
    evidence("T03", "teachingCase", "IND", "产线优化案例", "2025-05-01"),
    evidence("T04", "training", "GEN", "早年研修", "2019-05-01", 30),
    *_tier_two("T05"),
    evidence("T05", "project", "GEN", "语料审核", "2025-03-01", role="member"),
    evidence("T05", "project", "PRO", "模型研发", "2025-03-15", role="member"),
    evidence("T05", "project", "IND", "行业项目", "2025-04-01", role="core"),
    evidence("T05", "teachingCase", "IND", "第二个案例", "2025-05-01"),
    evidence("B01", "training", "GEN", "通识研修", "2024-09-01", 24, college=OTHER_COLLEGE),
]


async def fill(store: EmbeddedStore) -> None:
    """The reference seed plus the demand history, teachers and evidence above."""
    await load_seed(store)
    for rows, write in ((DEMAND, demand.record_demand), (TEACHERS, teachers.record_teachers),
                        (EVIDENCE, teachers.record_teacher_evidence)):
        outcome = await write(store, rows, actor=DESIGNER, today=AS_OF)
        assert outcome.ok, outcome.errors


@pytest.fixture(scope="session")
async def records_store(embedded_server: EmbeddedServer) -> AsyncIterator[EmbeddedStore]:
    """Read-only for the tests that use it (drafts excepted: see test_demand_program)."""
    store = EmbeddedStore(embedded_server.socket_path, graph_name="records")
    await migrate(store, "2026-01-01T00:00:00+00:00")
    await fill(store)
    yield store
    await store.drop_all()
    await store.close()
