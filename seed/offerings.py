"""The seed's courses, assessments, certifications, typical jobs and programs: what each
teaches, measures, evidences or needs, and whether a program covers its targets."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from graph import rules as framework_rules
from seed import evaluation
from seed.entries import _Entry

if TYPE_CHECKING:
    from seed.validate import _Builder

__all__ = ["build_assessments", "build_certifications", "build_courses", "build_jobs",
           "build_programs"]

def build_courses(b: _Builder) -> None:
    prerequisites: dict[str, list[str]] = {}
    for entry in b.files.get("courses", []):
        props = b._versioned(entry)
        level = b._level_field(entry, props)
        layer = entry.data.get("layer")
        if b._known(entry, "layers", layer, "layer"):
            props["layer"] = layer
        kind = entry.data.get("kind")
        b.check.refuse(entry, framework_rules.one_of_error(kind, "kind",
                                                             framework_rules.COURSE_KINDS))
        props["kind"] = kind
        for key, target in (("major", "majors"), ("industry", "industries")):
            if entry.data.get(key) is not None and b._known(
                    entry, target, entry.data[key], key):
                props[key] = entry.data[key]
        credits = entry.data.get("credits")
        b.check.refuse(entry, framework_rules.number_error(credits, "credits", 0, 30,
                                                             open_low=True))
        props["credits"] = float(credits) if isinstance(credits, int | float) else None
        props["hours"] = b._int(entry, "hours", 1, 2000)
        b._links(entry, "teaches", "teaches", props["uid"], level)
        prerequisites[entry.code] = []
        for required in b._list(entry, "requires"):
            if required == entry.code:
                b.check.refuse(entry, framework_rules.self_requirement_error(entry.code))
            elif b._known(entry, "courses", required, "requires"):
                prerequisites[entry.code].append(required)
                b.rows["coursePrerequisites"].append(
                    {"source": props["uid"], "target": b._uid(required)})
        b.rows["courses"].append({"uid": props["uid"], "props": props})
    b._refuse_cycles("courses", prerequisites, "course prerequisite cycle")


def build_assessments(b: _Builder) -> None:
    for entry in b.files.get("assessments", []):
        props = b._versioned(entry)
        level = b._level_field(entry, props)
        kind = entry.data.get("kind")
        b.check.refuse(entry, framework_rules.one_of_error(
            kind, "kind", framework_rules.ASSESSMENT_KINDS))
        props["kind"] = kind
        props["maxScore"] = b._int(entry, "maxScore", 1, 100000)

        def weight(spec: dict[str, Any], entry: _Entry = entry) -> dict[str, Any]:
            value = spec.get("weight")
            if b.check.refuse(entry, framework_rules.number_error(
                    value, "weight", 0, 1, open_low=True), line=int(spec.get("__line__", 0))):
                value = None
            return {"weight": value}

        b._links(entry, "measures", "measures", props["uid"], level, weight)
        b.rows["assessments"].append({"uid": props["uid"], "props": props})


def build_certifications(b: _Builder) -> None:
    for entry in b.files.get("certifications", []):
        props = b._versioned(entry)
        for key in ("issuerZh", "issuerEn"):
            props[key] = b._text(entry, key, required=False)
        evaluation.certification_facts(b, entry, props)
        b._links(entry, "evidences", "evidences", props["uid"], None)
        b.rows["certifications"].append({"uid": props["uid"], "props": props})


def build_jobs(b: _Builder) -> None:
    for entry in b.files.get("jobs", []):
        props = b._versioned(entry)
        level = b._level_field(entry, props)
        if b._known(entry, "industries", entry.data.get("industry"), "industry"):
            props["industry"] = entry.data["industry"]
        evaluation.job_facts(b, entry, props)

        def essential(spec: dict[str, Any], entry: _Entry = entry) -> dict[str, Any]:
            value = spec.get("essential", False)
            b.check.refuse(entry, framework_rules.flag_error(value, "essential"),
                              line=int(spec.get("__line__", 0)))
            return {"essential": bool(value)}

        b._links(entry, "needs", "needs", props["uid"], level, essential)
        b.rows["jobRoles"].append({"uid": props["uid"], "props": props})


def _program_requirements(b: _Builder, major: str, level: str) -> dict[str, int]:
    """What a program must reach by default: its level's GEN, major's PRO, industry's IND."""
    major_entry = b.by_code["majors"].get(major)
    industry = major_entry.data.get("industry") if major_entry else None
    required: dict[str, int] = {}
    competencies = {row["props"]["code"]: row["props"] for row in b.rows["competencies"]}
    for row in b.rows["requirements"]:
        props = row["props"]
        if props["level"] != level:
            continue
        competency = competencies.get(props["competency"])
        if competency is None:
            continue
        layer = competency.get("layer")
        if (layer == "GEN" or (layer == "PRO" and competency.get("major") == major)
                or (layer == "IND" and competency.get("industry") == industry)):
            required[props["competency"]] = props["proficiency"]
    return required


def build_programs(b: _Builder) -> None:
    teaches: dict[str, set[str]] = defaultdict(set)
    for row in b.rows["teaches"]:
        teaches[row["source"]].add(row["target"].split("|", 1)[1])
    for entry in b.files.get("programs", []):
        props = b._versioned(entry)
        level = b._level_field(entry, props)
        major = str(entry.data.get("major"))
        college = entry.data.get("college")
        b._known(entry, "colleges", college, "college")
        props["college"] = college
        if b._known(entry, "majors", major, "major"):
            props["major"] = major
            major_levels = b.by_code["majors"][major].data.get("levels") or []
            if level:
                b.check.refuse(entry, framework_rules.major_level_error(
                    major, level, major_levels))
        taught: set[str] = set()
        for spec in b._list(entry, "courses", required=True):
            if not isinstance(spec, dict):
                b.check.error(entry, "courses entries are {course, semester, required}")
                continue
            line = int(spec.get("__line__", 0))
            course = str(spec.get("course"))
            if not b._known(entry, "courses", course, "courses", line):
                continue
            semester = b._int(entry, "semester", 1, 12, data=spec)
            required = spec.get("required", True)
            b.check.refuse(entry, framework_rules.flag_error(required, "required"),
                              line=line)
            taught |= teaches.get(b._uid(course), set())
            b.rows["programCourses"].append({
                "source": props["uid"], "target": b._uid(course),
                "semester": semester, "required": bool(required)})
        _links_optional_overrides(b, entry, props["uid"], level)
        if major in b.by_code["majors"] and level:
            for competency in sorted(_program_requirements(b, major, level)):
                if competency not in taught:
                    b.check.error(entry, f"program requirement {competency} is taught by "
                                     "no course in the program")
        b.rows["programs"].append({"uid": props["uid"], "majorUid": b._uid(major or ""),
                                      "college": college, "props": props})


def _links_optional_overrides(b: _Builder, entry: _Entry, uid: str, level: str | None) -> None:
    if entry.data.get("overrides"):
        b._links(entry, "overrides", "programOverrides", uid, level)
