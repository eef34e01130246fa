"""Framework versions (动态迭代): copy a version into a new draft, publish, deprecate, diff.

A published version is frozen; edits go to a new draft made from it. The copy keeps every
element's ``code`` and gives it the new version's ``uid`` (``CODE@VERSION|ELEMENT``), and
links it to the element it was copied from with ``(new)-[:PREVIOUS_VERSION]->(old)``, so
students and programs judged against the old version keep pointing at the old nodes.

The copy is several queries (one per label and edge type; the embedded engine has no
multi-statement transaction). The new framework is marked ``copying`` until the last one
has run, and asking for the same version again resumes an interrupted copy: every query is
an idempotent MERGE.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.cypher import Cypher
from graph.editing import Actor, EditError, now_iso, record_audit
from graph.framework import FrameworkRepository
from graph.ids import framework_uid
from graph.programs import refresh_program_targets
from graph.store import GraphStore, Record

__all__ = [
    "ElementChange", "ElementDiff", "FieldChange", "FrameworkDiff", "VersionResult",
    "create_version", "deprecate_framework", "diff_frameworks", "publish_framework",
]

FRAMEWORK_NOT_FOUND = "FRAMEWORK_NOT_FOUND"
FRAMEWORK_EXISTS = "FRAMEWORK_EXISTS"
INVALID_VERSION = "INVALID_VERSION"
INVALID_STATUS = "INVALID_STATUS"
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")

START_COPY = Cypher(
    "MATCH (old:Framework {uid: $from}) MERGE (f:Framework {uid: $to}) "
    "SET f += old {.*, uid: $to, version: $version, status: 'copying', createdAt: $at, "
    "previousVersion: $from, publishedAt: null, deprecatedAt: null, contentHash: null, "
    "updatedAt: null} "
    "MERGE (f)-[:PREVIOUS_VERSION]->(old) RETURN f.uid AS uid"
)
FINISH_COPY = Cypher(
    "MATCH (f:Framework {uid: $to}) SET f.status = 'draft' RETURN f {.*} AS node"
)
SET_STATUS = Cypher(
    "MATCH (f:Framework {uid: $uid}) SET f.status = $status, f.publishedAt = "
    "coalesce($publishedAt, f.publishedAt), f.deprecatedAt = $deprecatedAt "
    "RETURN f {.*} AS node"
)

# Nodes: the element keeps its code, gets the new version's uid, links to its predecessor.
# (In a map projection a literal entry overrides the same key taken by ``.*``.)
_COPY_NODES = (
    "MATCH (o:{label} {{fw: $from}}) MERGE (n:{label} {{uid: $to + '|' + o.code}}) "
    "SET n += o {{.*, uid: $to + '|' + o.code, fw: $to}} "
    "MERGE (n)-[:PREVIOUS_VERSION]->(o) RETURN count(n) AS copied"
)
# Edges between two elements of the version, with their properties.
_COPY_EDGES = (
    "MATCH (oa:{source} {{fw: $from}})-[r:{rel}]->(ob:{target} {{fw: $from}}) "
    "MATCH (a:{source} {{uid: $to + '|' + oa.code}}) "
    "MATCH (b:{target} {{uid: $to + '|' + ob.code}}) "
    "MERGE (a)-[e:{rel}]->(b) SET e += properties(r) RETURN count(e) AS copied"
)
# Edges from an element to a node shared by all versions (Level, Layer, Strand).
_COPY_SHARED_EDGES = (
    "MATCH (oa:{source} {{fw: $from}})-[r:{rel}]->(g:{target}) "
    "MATCH (a:{source} {{uid: $to + '|' + oa.code}}) "
    "MERGE (a)-[e:{rel}]->(g) SET e += properties(r) RETURN count(e) AS copied"
)


def _nodes(label: str) -> Cypher:
    return Cypher(_COPY_NODES.format(label=label))


def _edges(source: str, rel: str, target: str, *, shared: bool = False) -> Cypher:
    template = _COPY_SHARED_EDGES if shared else _COPY_EDGES
    return Cypher(template.format(source=source, rel=rel, target=target))


# Labels and types cannot be parameters, so each is a registered text of its own; the
# order matters only in that edges are copied after both of their ends.
COPY_INDUSTRIES = _nodes("Industry")
COPY_MAJORS = _nodes("Major")
COPY_COMPETENCIES = _nodes("Competency")
COPY_REQUIREMENTS = _nodes("Requirement")
COPY_COURSES = _nodes("Course")
COPY_ASSESSMENTS = _nodes("Assessment")
COPY_CERTIFICATIONS = _nodes("Certification")
COPY_JOB_ROLES = _nodes("JobRole")
COPY_PROGRAMS = _nodes("Program")
COPY_TEACHER_TIERS = _nodes("TeacherTier")
COPY_TEACHER_STANDARDS = _nodes("TeacherStandard")
COPY_MAJOR_INDUSTRY = _edges("Major", "IN_INDUSTRY", "Industry")
COPY_COMPETENCY_LAYER = _edges("Competency", "IN_LAYER", "Layer", shared=True)
COPY_COMPETENCY_STRANDS = _edges("Competency", "IN_STRAND", "Strand", shared=True)
COPY_COMPETENCY_MAJOR = _edges("Competency", "FOR_MAJOR", "Major")
COPY_COMPETENCY_INDUSTRY = _edges("Competency", "FOR_INDUSTRY", "Industry")
COPY_HAS_REQUIREMENT = _edges("Competency", "HAS_REQUIREMENT", "Requirement")
COPY_REQUIREMENT_LEVEL = _edges("Requirement", "AT_LEVEL", "Level", shared=True)
COPY_PREREQUISITES = _edges("Competency", "REQUIRES", "Competency")
COPY_PROGRESSIONS = _edges("Requirement", "PROGRESSES_TO", "Requirement")
COPY_TEACHES = _edges("Course", "TEACHES", "Competency")
COPY_COURSE_PREREQUISITES = _edges("Course", "REQUIRES", "Course")
COPY_MEASURES = _edges("Assessment", "MEASURES", "Competency")
COPY_EVIDENCES = _edges("Certification", "EVIDENCES", "Competency")
COPY_NEEDS = _edges("JobRole", "NEEDS", "Competency")
COPY_PROGRAM_MAJOR = _edges("Program", "FOR_MAJOR", "Major")
COPY_PROGRAM_COURSES = _edges("Program", "INCLUDES", "Course")
COPY_PROGRAM_OVERRIDES = _edges("Program", "OVERRIDES", "Competency")
COPY_TEACHER_TIER_COMPETENCIES = _edges("TeacherTier", "NEEDS_COMPETENCY", "Competency")
COPY_STANDARD_TIERS = _edges("TeacherStandard", "FOR_TIER", "TeacherTier")
COPY_STANDARD_LAYERS = _edges("TeacherStandard", "IN_LAYER", "Layer", shared=True)
COPY_DIMENSIONS = _nodes("Dimension")
COPY_INDICATORS = _nodes("Indicator")
COPY_BEHAVIOURS = _nodes("Behaviour")
COPY_SAMPLE_ITEMS = _nodes("SampleItem")
COPY_EXTERNALS = _nodes("ExternalCompetency")
COPY_MAJOR_OFFERINGS = _nodes("MajorOffering")
COPY_CROSSWALK_LINKS = _nodes("CrosswalkLink")
COPY_IN_DIMENSION = _edges("Indicator", "IN_DIMENSION", "Dimension")
COPY_HAS_BEHAVIOUR = _edges("Indicator", "HAS_BEHAVIOUR", "Behaviour")
COPY_JUDGES = _edges("Indicator", "JUDGES", "Competency")
COPY_ITEM_OF = _edges("SampleItem", "ITEM_OF", "Assessment")
COPY_PROBES = _edges("SampleItem", "PROBES", "Competency")
COPY_COMPETENCY_ALIGNS = _edges("Competency", "ALIGNS_WITH", "ExternalCompetency")
COPY_TIER_ALIGNS = _edges("TeacherTier", "ALIGNS_WITH", "ExternalCompetency")
COPY_OFFERED_AS = _edges("Major", "OFFERED_AS", "MajorOffering")
COPY_PROGRAM_COLLEGE = Cypher(
    "MATCH (c:College)-[:OFFERS]->(o:Program {fw: $from}) "
    "MATCH (p:Program {uid: $to + '|' + o.code}) MERGE (c)-[e:OFFERS]->(p) "
    "RETURN count(e) AS copied"
)

# (:Program)-[:TARGETS]->() is derived: recomputed for the copy, not copied.
COPY_STEPS: tuple[tuple[str, Cypher], ...] = (
    ("Industry", COPY_INDUSTRIES), ("Major", COPY_MAJORS),
    ("Competency", COPY_COMPETENCIES), ("Requirement", COPY_REQUIREMENTS),
    ("Course", COPY_COURSES), ("Assessment", COPY_ASSESSMENTS),
    ("Certification", COPY_CERTIFICATIONS), ("JobRole", COPY_JOB_ROLES),
    ("Program", COPY_PROGRAMS), ("TeacherTier", COPY_TEACHER_TIERS),
    ("IN_INDUSTRY", COPY_MAJOR_INDUSTRY), ("IN_LAYER", COPY_COMPETENCY_LAYER),
    ("IN_STRAND", COPY_COMPETENCY_STRANDS), ("FOR_MAJOR", COPY_COMPETENCY_MAJOR),
    ("FOR_INDUSTRY", COPY_COMPETENCY_INDUSTRY), ("HAS_REQUIREMENT", COPY_HAS_REQUIREMENT),
    ("AT_LEVEL", COPY_REQUIREMENT_LEVEL), ("REQUIRES", COPY_PREREQUISITES),
    ("PROGRESSES_TO", COPY_PROGRESSIONS), ("TEACHES", COPY_TEACHES),
    ("REQUIRES", COPY_COURSE_PREREQUISITES), ("MEASURES", COPY_MEASURES),
    ("EVIDENCES", COPY_EVIDENCES), ("NEEDS", COPY_NEEDS),
    ("FOR_MAJOR", COPY_PROGRAM_MAJOR), ("INCLUDES", COPY_PROGRAM_COURSES),
    ("OVERRIDES", COPY_PROGRAM_OVERRIDES), ("OFFERS", COPY_PROGRAM_COLLEGE),
    ("NEEDS_COMPETENCY", COPY_TEACHER_TIER_COMPETENCIES),
    ("TeacherStandard", COPY_TEACHER_STANDARDS), ("FOR_TIER", COPY_STANDARD_TIERS),
    ("IN_LAYER", COPY_STANDARD_LAYERS),
    ("Dimension", COPY_DIMENSIONS), ("Indicator", COPY_INDICATORS),
    ("Behaviour", COPY_BEHAVIOURS), ("SampleItem", COPY_SAMPLE_ITEMS),
    ("ExternalCompetency", COPY_EXTERNALS), ("MajorOffering", COPY_MAJOR_OFFERINGS),
    ("CrosswalkLink", COPY_CROSSWALK_LINKS),
    ("IN_DIMENSION", COPY_IN_DIMENSION), ("HAS_BEHAVIOUR", COPY_HAS_BEHAVIOUR),
    ("JUDGES", COPY_JUDGES), ("ITEM_OF", COPY_ITEM_OF), ("PROBES", COPY_PROBES),
    ("ALIGNS_WITH", COPY_COMPETENCY_ALIGNS), ("ALIGNS_WITH", COPY_TIER_ALIGNS),
    ("OFFERED_AS", COPY_OFFERED_AS),
)

# ---- diff reads ----------------------------------------------------------------------------
DIFF_COMPETENCIES = Cypher(
    "MATCH (c:Competency {fw: $fw}) OPTIONAL MATCH (c)-[:REQUIRES]->(p:Competency) "
    "RETURN c {.*} AS node, collect(p.code) AS requires"
)
DIFF_REQUIREMENTS = Cypher(
    "MATCH (r:Requirement {fw: $fw}) OPTIONAL MATCH (r)-[:PROGRESSES_TO]->(t:Requirement) "
    "RETURN r {.*} AS node, collect(t.code) AS progressesTo"
)
DIFF_PROGRAM_TARGETS = Cypher(
    "MATCH (p:Program {fw: $fw})-[:TARGETS]->(c:Competency) "
    "RETURN p.code AS program, p.level AS level, collect(c.code) AS targets"
)
_IGNORED_FIELDS = frozenset({"uid", "fw"})


@dataclass
class VersionResult:
    """Either ``errors`` or the framework record after the change."""

    errors: list[EditError] = field(default_factory=list)
    framework: Record | None = None
    audit: str | None = None


async def create_version(store: GraphStore, source: str, version: str,
                         actor: Actor) -> VersionResult:
    """Copy framework version ``source`` whole into a new draft ``CODE@version``."""
    repository = FrameworkRepository(store)
    old = await repository.framework(source)
    if old is None:
        return _refused(FRAMEWORK_NOT_FOUND, f"no framework version {source!r}", "from")
    if old.get("status") == "copying":
        return _refused(INVALID_STATUS, f"{source} is still being copied", "from")
    if not VERSION.match(version or ""):
        return _refused(INVALID_VERSION, f"version {version!r} must be letters, digits, "
                        "'.', '_' or '-' (e.g. 2026.1)", "version")
    target = framework_uid(str(old["code"]), version)
    existing = await repository.framework(target)
    resuming = (existing is not None and existing.get("status") == "copying"
                and existing.get("previousVersion") == source)
    if existing is not None and not resuming:
        return _refused(FRAMEWORK_EXISTS, f"framework version {target} exists already",
                        "version")
    at = now_iso()
    params = {"from": source, "to": target, "version": version, "at": at}
    await store.write(START_COPY, params)
    copied: dict[str, int] = defaultdict(int)
    for name, query in COPY_STEPS:
        rows = await store.write(query, {"from": source, "to": target})
        copied[name] += int(rows[0]["copied"]) if rows else 0
    await refresh_program_targets(store, framework=target)
    rows = await store.write(FINISH_COPY, {"to": target})
    audit = await record_audit(store, actor, "createFrameworkVersion", target, [target],
                               {"from": source, "copied": dict(copied),
                                "resumed": resuming}, edited=False, at=at)
    return VersionResult(framework=rows[0]["node"], audit=audit)


async def publish_framework(store: GraphStore, uid: str, actor: Actor) -> VersionResult:
    """Freeze a draft: from now on it is read-only and the default for readers."""
    return await _transition(store, uid, actor, "draft", "published", "publishFramework")


async def deprecate_framework(store: GraphStore, uid: str, actor: Actor) -> VersionResult:
    """Retire a published version; it stays readable for the records judged against it."""
    return await _transition(store, uid, actor, "published", "deprecated",
                             "deprecateFramework")


async def _transition(store: GraphStore, uid: str, actor: Actor, expected: str, status: str,
                      mutation: str) -> VersionResult:
    framework = await FrameworkRepository(store).framework(uid)
    if framework is None:
        return _refused(FRAMEWORK_NOT_FOUND, f"no framework version {uid!r}", "id")
    current = framework.get("status", "draft")
    if current != expected:
        return _refused(INVALID_STATUS, f"{uid} is {current}; only a {expected} version can "
                        f"become {status}", "id")
    at = now_iso()
    rows = await store.write(SET_STATUS, {
        "uid": uid, "status": status,
        "publishedAt": at if status == "published" else None,
        "deprecatedAt": at if status == "deprecated" else None,
    })
    audit = await record_audit(store, actor, mutation, uid, [uid],
                               {"from": current, "to": status}, edited=False, at=at)
    return VersionResult(framework=rows[0]["node"], audit=audit)


def _refused(code: str, message: str, field_name: str) -> VersionResult:
    return VersionResult(errors=[EditError(code, message, None, field_name)])


# ---- diff ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class ElementChange:
    code: str
    changes: list[FieldChange]


@dataclass
class ElementDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)

    def touched(self) -> set[str]:
        return {*self.added, *self.removed, *(c.code for c in self.changed)}


@dataclass(frozen=True, slots=True)
class AffectedProgram:
    """A program (by code) whose targets include something the diff touches."""

    code: str
    frameworks: list[str]
    competencies: list[str]


@dataclass
class FrameworkDiff:
    source: str
    target: str
    competencies: ElementDiff
    requirements: ElementDiff
    programs: list[AffectedProgram]


async def diff_frameworks(store: GraphStore, source: str, target: str) -> FrameworkDiff:
    """What changed from ``source`` to ``target``, matched by code, field by field."""
    before_c, after_c = await _competencies(store, source), await _competencies(store, target)
    before_r, after_r = await _requirements(store, source), await _requirements(store, target)
    competencies = _diff(before_c, after_c)
    requirements = _diff(before_r, after_r)
    by_level: dict[str, set[str]] = defaultdict(set)  # level → competencies touched there
    for code in requirements.touched():
        row = after_r.get(code) or before_r[code]
        by_level[str(row.get("level"))].add(str(row.get("competency")))
    affected: dict[str, AffectedProgram] = {}
    for fw in (source, target):
        for row in await store.read(DIFF_PROGRAM_TARGETS, {"fw": fw}):
            touched = competencies.touched() | by_level.get(str(row["level"]), set())
            hits = sorted(touched & set(row["targets"]))
            if not hits:
                continue
            known = affected.get(row["program"])
            if known is None:
                affected[row["program"]] = AffectedProgram(row["program"], [fw], hits)
            else:
                affected[row["program"]] = AffectedProgram(
                    known.code, [*known.frameworks, fw],
                    sorted(set(known.competencies) | set(hits)))
    return FrameworkDiff(source, target, competencies, requirements,
                         [affected[code] for code in sorted(affected)])


async def _competencies(store: GraphStore, fw: str) -> dict[str, dict[str, Any]]:
    rows = await store.read(DIFF_COMPETENCIES, {"fw": fw})
    return {row["node"]["code"]: {**row["node"], "requires": sorted(row["requires"])}
            for row in rows}


async def _requirements(store: GraphStore, fw: str) -> dict[str, dict[str, Any]]:
    rows = await store.read(DIFF_REQUIREMENTS, {"fw": fw})
    return {row["node"]["code"]: {**row["node"], "progressesTo": sorted(row["progressesTo"])}
            for row in rows}


def _diff(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> ElementDiff:
    result = ElementDiff(added=sorted(set(after) - set(before)),
                         removed=sorted(set(before) - set(after)))
    for code in sorted(set(before) & set(after)):
        changes = [FieldChange(name, before[code].get(name), after[code].get(name))
                   for name in sorted(_fields(before[code], after[code]))
                   if _canonical(before[code].get(name)) != _canonical(after[code].get(name))]
        if changes:
            result.changed.append(ElementChange(code, changes))
    return result


def _fields(*rows: dict[str, Any]) -> Iterable[str]:
    return {name for row in rows for name in row} - _IGNORED_FIELDS


def _canonical(value: Any) -> str:
    """Compare by value: FalkorDB gives floats back with 15 significant digits."""
    if isinstance(value, float):
        value = round(value, 9)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
