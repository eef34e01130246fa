"""A demo draft revision of the reference framework, so diffs and program checks show data.

The reference programs pass every check and there is one published version, so without a
revision the program view would mark no finding and the version diff would have nothing to
compare. This draft, ``AIL@2025.2`` (fictional: a committee's revision under review, visible
to designers and admins only), is made with the product's own editing functions, as a
designer would make it: a new competency no course teaches yet, a raised target and a
rewritten descriptor, and a program whose first course moved after its successors.
"""

from __future__ import annotations

from typing import Any

from graph.content import FrameworkContent
from graph.editing import Actor, upsert_competencies, upsert_programs
from graph.framework import FrameworkRepository
from graph.store import GraphStore
from graph.versions import create_version

__all__ = ["DRAFT_VERSION", "load_demo_draft"]

DRAFT_VERSION = "2025.2"
ACTOR = Actor(subject="demo", role="designer")
SOURCE = "design: demo draft revision (fictional), shows the version diff and program checks"


def _requirements(content: FrameworkContent, code: str) -> dict[str, dict[str, Any]]:
    return {r["level"]: {"level": r["level"], "proficiency": r["props"]["proficiency"],
                         "descriptorZh": r["props"]["descriptorZh"],
                         "descriptorEn": r["props"]["descriptorEn"]}
            for r in content.rows["requirements"] if r["props"]["competency"] == code}


def _program_courses(content: FrameworkContent, program: str) -> list[dict[str, Any]]:
    uid = f"{content.uid}|{program}"
    codes = {r["uid"]: r["props"]["code"] for r in content.rows["courses"]}
    return [{"course": codes[link["target"]], "semester": int(link["semester"]),
             "required": bool(link["required"])}
            for link in content.rows["programCourses"] if link["source"] == uid]


async def load_demo_draft(store: GraphStore, content: FrameworkContent) -> str | None:
    """Create the draft once (a second run finds it and changes nothing); its uid, or None
    when a version of that name exists already but is not this demo's draft."""
    code = content.props["code"]
    uid = f"{code}@{DRAFT_VERSION}"
    existing = await FrameworkRepository(store).framework(uid)
    if existing is not None and existing.get("status") != "copying":
        return uid if existing.get("previousVersion") == content.uid else None
    created = await create_version(store, content.uid, DRAFT_VERSION, ACTOR)
    if created.errors:
        raise ValueError(f"demo draft: {created.errors[0].code}: {created.errors[0].message}")

    raised = _requirements(content, "GEN-05")
    raised["GZ"] = {**raised["GZ"], "proficiency": 3,
                    "descriptorZh": raised["GZ"]["descriptorZh"] + "能为生成内容设计核验步骤。",
                    "descriptorEn": raised["GZ"]["descriptorEn"]
                    + " Designs the checks generated content goes through."}
    result = await upsert_competencies(store, uid, [
        {"code": "GEN-29", "layer": "GEN", "nameZh": "智能体协作（修订草案）",
         "nameEn": "Working with AI agents (draft)",
         "descriptionZh": "与人工智能智能体分工协作，设定目标、边界与人工复核点。",
         "descriptionEn": "Shares work with AI agents: sets goals, limits and human review "
                          "points.",
         "source": SOURCE, "requires": ["GEN-14"], "requirements": [
             {"level": "GZ", "proficiency": 2,
              "descriptorZh": "能把多步骤工作交给智能体完成，并在关键步骤人工复核。",
              "descriptorEn": "Hands multi-step work to an agent and reviews its key steps."},
             {"level": "BK", "proficiency": 3,
              "descriptorZh": "能设计人与智能体协作的业务流程及其风险控制。",
              "descriptorEn": "Designs business processes shared by people and agents, with "
                              "their risk controls."}]},
        {"code": "GEN-05", "requirements": list(raised.values())},
    ], ACTOR)
    if result.errors:
        raise ValueError(f"demo draft: {result.errors[0].code}: {result.errors[0].message}")
    courses = _program_courses(content, "P-AI-GZ")
    for course in courses:
        if course["course"] == "C-GEN-GZ-01":
            course["semester"] = 3  # now after the courses that build on it
    result = await upsert_programs(store, uid, [{"code": "P-AI-GZ", "courses": courses}], ACTOR)
    if result.errors:
        raise ValueError(f"demo draft: {result.errors[0].code}: {result.errors[0].message}")
    return uid
