"""Designers' edits of a draft framework version: checked as a whole batch, then written.

The embedded engine has no multi-statement transactions, so every batch is validated in
Python against what the store holds plus the batch itself before the first write; the
writes are idempotent ``UNWIND $rows`` queries (MERGE + SET, and "relink" queries that
merge the wanted edges and prune the others in one statement), so a write interrupted
half-way is completed by sending the same batch again. Each accepted change leaves an
``(:AuditEntry)``: who, when, what.

Rows are plain dicts keyed as in the API (camelCase). A key that is absent keeps the stored
value; a list that is given replaces the stored list (requirements, prerequisites, ...).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.content import (
    LINK_PROGRESSIONS,
    UPSERT_ASSESSMENTS,
    UPSERT_COURSES,
    UPSERT_JOB_ROLES,
    UPSERT_REQUIREMENTS,
)
from graph.cypher import Cypher
from graph.dag import find_cycle
from graph.framework import FrameworkRepository
from graph.ids import element_uid, requirement_uid
from graph.programs import refresh_program_targets
from graph.store import GraphStore, Record

__all__ = [
    "Actor",
    "EditError",
    "EditResult",
    "audit_count",
    "audit_page",
    "find_cycle",
    "now_iso",
    "record_audit",
    "remove_competencies",
    "upsert_assessments",
    "upsert_competencies",
    "upsert_courses",
    "upsert_job_roles",
    "upsert_majors",
    "upsert_programs",
]

Row = dict[str, Any]

# Stable error codes (UserError.code).
FRAMEWORK_NOT_FOUND = "FRAMEWORK_NOT_FOUND"
FRAMEWORK_FROZEN = "FRAMEWORK_FROZEN"
DUPLICATE_CODE = "DUPLICATE_CODE"
INVALID_CODE = "INVALID_CODE"
UNKNOWN_CODE = "UNKNOWN_CODE"
MISSING_FIELD = "MISSING_FIELD"
INVALID_VALUE = "INVALID_VALUE"
PROFICIENCY_OUT_OF_RANGE = "PROFICIENCY_OUT_OF_RANGE"
PROFICIENCY_ABOVE_LEVEL_MAX = "PROFICIENCY_ABOVE_LEVEL_MAX"
PREREQUISITE_CYCLE = "PREREQUISITE_CYCLE"
IN_USE = "IN_USE"

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
COURSE_KINDS = ("required", "elective")
ASSESSMENT_KINDS = ("written", "practical", "project", "portfolio")
_TEXTS = ("nameZh", "nameEn", "source")
_OPTIONAL_TEXTS = ("descriptionZh", "descriptionEn")

# ---- reads -------------------------------------------------------------------------------
GLOBAL_CODES = Cypher(
    "MATCH (n:Level) RETURN 'Level' AS label, n.code AS code, n.rank AS rank, "
    "n.maxProficiency AS top "
    "UNION ALL MATCH (n:Layer) RETURN 'Layer' AS label, n.code AS code, null AS rank, "
    "null AS top "
    "UNION ALL MATCH (n:Strand) RETURN 'Strand' AS label, n.code AS code, null AS rank, "
    "null AS top "
    "UNION ALL MATCH (n:College) RETURN 'College' AS label, n.code AS code, null AS rank, "
    "null AS top"
)
# What validation needs of every element of a version: one index-backed match per label.
VERSION_CODES = Cypher(
    "MATCH (n:Competency {fw: $fw}) RETURN 'Competency' AS label, n.code AS code, "
    "n.levels AS levels, null AS level, null AS major "
    "UNION ALL MATCH (n:Major {fw: $fw}) RETURN 'Major' AS label, n.code AS code, "
    "n.levels AS levels, null AS level, null AS major "
    "UNION ALL MATCH (n:Industry {fw: $fw}) RETURN 'Industry' AS label, n.code AS code, "
    "null AS levels, null AS level, null AS major "
    "UNION ALL MATCH (n:Course {fw: $fw}) RETURN 'Course' AS label, n.code AS code, "
    "null AS levels, n.level AS level, null AS major "
    "UNION ALL MATCH (n:Assessment {fw: $fw}) RETURN 'Assessment' AS label, n.code AS code, "
    "null AS levels, n.level AS level, null AS major "
    "UNION ALL MATCH (n:JobRole {fw: $fw}) RETURN 'JobRole' AS label, n.code AS code, "
    "null AS levels, n.level AS level, null AS major "
    "UNION ALL MATCH (n:Program {fw: $fw}) RETURN 'Program' AS label, n.code AS code, "
    "null AS levels, n.level AS level, n.major AS major"
)
COMPETENCY_PREREQUISITE_EDGES = Cypher(
    "MATCH (a:Competency {fw: $fw})-[:REQUIRES]->(b:Competency) "
    "RETURN a.code AS source, b.code AS target"
)
COURSE_PREREQUISITE_EDGES = Cypher(
    "MATCH (a:Course {fw: $fw})-[:REQUIRES]->(b:Course) RETURN a.code AS source, b.code AS target"
)
OUTGOING_PROGRESSIONS = Cypher(
    "UNWIND $uids AS uid "
    "MATCH (:Competency {uid: uid})-[:HAS_REQUIREMENT]->(r:Requirement)"
    "-[:PROGRESSES_TO]->(t:Requirement) "
    "RETURN uid, r.level AS fromLevel, t.competency AS competency, t.level AS level"
)
# Anything that still points at a competency (or its requirements) from elsewhere; edges
# derived from programs (targets, scope) are recomputed and do not count.
COMPETENCY_REFERENCES = Cypher(
    "UNWIND $uids AS uid MATCH (c:Competency {uid: uid})<-[r]-(x) "
    "WHERE NOT type(r) IN ['PREVIOUS_VERSION', 'TARGETS', 'IN_SCOPE'] "
    "RETURN c.code AS code, type(r) AS type, coalesce(x.code, x.uid) AS referrer "
    "UNION ALL UNWIND $uids AS uid "
    "MATCH (c:Competency {uid: uid})-[:HAS_REQUIREMENT]->(:Requirement)"
    "<-[:PROGRESSES_TO]-(r:Requirement) WHERE r.competency <> c.code "
    "RETURN c.code AS code, 'PROGRESSES_TO' AS type, r.code AS referrer"
)

# ---- writes ------------------------------------------------------------------------------
UPSERT_COMPETENCY_NODES = Cypher(
    "UNWIND $rows AS row MERGE (n:Competency {uid: row.uid}) SET n += row.props"
)
UPSERT_MAJOR_NODES = Cypher("UNWIND $rows AS row MERGE (n:Major {uid: row.uid}) SET n += row.props")
UPSERT_PROGRAM_NODES = Cypher(
    "UNWIND $rows AS row MERGE (n:Program {uid: row.uid}) SET n += row.props"
)

# A relink sets the edges of one type from each row's node to exactly ``row.links``:
# stale edges are deleted and wanted ones merged (with their properties) in one statement.
_RELINK = (
    "UNWIND $rows AS row MATCH (a:{source} {{uid: row.uid}}) "
    "OPTIONAL MATCH (a)-[old:{rel}]->(b:{target}) WHERE NOT b.{key} IN row.targets "
    "DELETE old "
    "WITH DISTINCT a, row UNWIND row.links AS link "
    "MATCH (b:{target} {{{key}: link.target}}) "
    "MERGE (a)-[e:{rel}]->(b) SET e += link.props"
)


def _relink(source: str, rel: str, target: str, key: str = "uid") -> Cypher:
    """Labels and types cannot be parameters: one registered text per (label, type)."""
    return Cypher(_RELINK.format(source=source, rel=rel, target=target, key=key))


RELINK_COMPETENCY_LAYER = _relink("Competency", "IN_LAYER", "Layer", "code")
RELINK_COMPETENCY_STRANDS = _relink("Competency", "IN_STRAND", "Strand", "code")
RELINK_COMPETENCY_MAJOR = _relink("Competency", "FOR_MAJOR", "Major")
RELINK_COMPETENCY_INDUSTRY = _relink("Competency", "FOR_INDUSTRY", "Industry")
RELINK_PREREQUISITES = _relink("Competency", "REQUIRES", "Competency")
RELINK_TEACHES = _relink("Course", "TEACHES", "Competency")
RELINK_COURSE_PREREQUISITES = _relink("Course", "REQUIRES", "Course")
RELINK_MEASURES = _relink("Assessment", "MEASURES", "Competency")
RELINK_NEEDS = _relink("JobRole", "NEEDS", "Competency")
RELINK_MAJOR_INDUSTRY = _relink("Major", "IN_INDUSTRY", "Industry")
RELINK_PROGRAM_MAJOR = _relink("Program", "FOR_MAJOR", "Major")
RELINK_PROGRAM_COURSES = _relink("Program", "INCLUDES", "Course")
RELINK_PROGRAM_OVERRIDES = _relink("Program", "OVERRIDES", "Competency")
RELINK_PROGRAM_COLLEGE = Cypher(
    "UNWIND $rows AS row MATCH (p:Program {uid: row.uid}) "
    "OPTIONAL MATCH (c:College)-[old:OFFERS]->(p) WHERE c.code <> row.college DELETE old "
    "WITH DISTINCT p, row MATCH (c:College {code: row.college}) MERGE (c)-[:OFFERS]->(p)"
)
PRUNE_REQUIREMENTS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (:Competency {uid: row.uid})-[:HAS_REQUIREMENT]->(r:Requirement) "
    "WHERE NOT r.level IN row.levels DETACH DELETE r"
)
PRUNE_PROGRESSIONS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (:Competency {uid: row.uid})-[:HAS_REQUIREMENT]->(r:Requirement)"
    "-[p:PROGRESSES_TO]->(t:Requirement) "
    "WHERE NOT (r.uid + '>' + t.uid) IN row.keep DELETE p"
)
REMOVE_COMPETENCIES = Cypher(
    "UNWIND $uids AS uid MATCH (c:Competency {uid: uid}) "
    "OPTIONAL MATCH (c)-[:HAS_REQUIREMENT]->(r:Requirement) DETACH DELETE r "
    "WITH DISTINCT c DETACH DELETE c"
)

# ---- audit -------------------------------------------------------------------------------
RECORD_AUDIT = Cypher(
    "MATCH (f:Framework {uid: $fw}) "
    "CREATE (a:AuditEntry {uid: $uid, at: $at, subject: $subject, role: $role, "
    "mutation: $mutation, fw: $fw, codes: $codes, summary: $summary}) "
    "MERGE (a)-[:ABOUT]->(f) "
    "SET f.updatedAt = $at, "
    "f.contentHash = CASE WHEN $edited THEN null ELSE f.contentHash END "
    "RETURN a.uid AS uid"
)
AUDIT_PAGE = Cypher(
    "MATCH (a:AuditEntry) WHERE ($fw IS NULL OR a.fw = $fw) "
    "AND ($after IS NULL OR a.uid < $after) "
    "RETURN a {.*} AS node ORDER BY a.uid DESC LIMIT $limit"
)
AUDIT_COUNT = Cypher(
    "MATCH (a:AuditEntry) WHERE ($fw IS NULL OR a.fw = $fw) RETURN count(a) AS total"
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: the token's subject and role (recorded, never a person's name)."""

    subject: str
    role: str


@dataclass(frozen=True, slots=True)
class EditError:
    """An expected refusal: stable ``code``, a message, the batch ``index`` and ``field``."""

    code: str
    message: str
    index: int | None = None
    field: str | None = None


@dataclass
class EditResult:
    """Either ``errors`` (nothing was written) or the ``codes`` written and the audit entry."""

    errors: list[EditError] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    audit: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def now_iso() -> str:
    """ISO-8601 UTC with microseconds: sortable as text (FalkorDB has no datetime())."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


async def record_audit(store: GraphStore, actor: Actor, mutation: str, fw: str,
                       codes: Sequence[str], summary: Mapping[str, Any], *,
                       edited: bool = True, at: str | None = None) -> str:
    """Write one audit entry; an edit also drops the framework's seed ``contentHash``.

    The hash says "this version holds exactly that seed"; after an edit it no longer does,
    so a later seed load must not report the version as unchanged.
    """
    at = at or now_iso()
    uid = f"{at}#{secrets.token_hex(4)}"  # time first: the uid orders entries
    rows = await store.write(RECORD_AUDIT, {
        "uid": uid, "at": at, "subject": actor.subject, "role": actor.role,
        "mutation": mutation, "fw": fw, "codes": list(codes), "edited": edited,
        "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str),
    })
    return str(rows[0]["uid"]) if rows else uid


async def audit_page(store: GraphStore, fw: str | None, after: str | None,
                     limit: int) -> list[Record]:
    """Newest first; ``after`` is the uid of the last entry of the previous page."""
    rows = await store.read(AUDIT_PAGE, {"fw": fw, "after": after, "limit": limit})
    return [row["node"] for row in rows]


async def audit_count(store: GraphStore, fw: str | None) -> int:
    rows = await store.read(AUDIT_COUNT, {"fw": fw})
    return int(rows[0]["total"]) if rows else 0


def _is_design(source: Any) -> bool:
    return isinstance(source, str) and source.strip().lower().startswith("design")


class _Batch:
    """One mutation's view of a draft version: what exists, and the errors found so far."""

    def __init__(self, store: GraphStore, fw: str, label: str, rows: Sequence[Row]) -> None:
        self.store = store
        self.fw = fw
        self.label = label
        self.rows = list(rows)
        self.errors: list[EditError] = []
        self.levels: dict[str, tuple[int, int]] = {}  # code → (rank, maxProficiency)
        self.globals: dict[str, set[str]] = defaultdict(set)
        self.codes: dict[str, dict[str, Record]] = defaultdict(dict)  # label → code → info
        self.existing: dict[str, Record] = {}  # code → stored props, for rows of the batch

    def error(self, code: str, message: str, index: int | None = None,
              field: str | None = None) -> None:
        self.errors.append(EditError(code, message, index, field))

    async def open(self) -> bool:
        """Refuse a missing or frozen version; read what validation needs."""
        framework = await FrameworkRepository(self.store).framework(self.fw)
        if framework is None:
            self.error(FRAMEWORK_NOT_FOUND, f"no framework version {self.fw!r}")
            return False
        status = framework.get("status", "draft")
        if status != "draft":
            self.error(FRAMEWORK_FROZEN, f"framework {self.fw} is {status} and frozen: "
                       "make a new version with createFrameworkVersion and edit that")
            return False
        for row in await self.store.read(GLOBAL_CODES):
            self.globals[row["label"]].add(row["code"])
            if row["label"] == "Level":
                self.levels[row["code"]] = (int(row["rank"]), int(row["top"]))
        for row in await self.store.read(VERSION_CODES, {"fw": self.fw}):
            self.codes[row["label"]][row["code"]] = row
        seen: dict[str, int] = {}
        for index, row in enumerate(self.rows):
            code = row.get("code")
            if not isinstance(code, str) or not CODE.match(code):
                self.error(INVALID_CODE, f"code {code!r} must be upper-case letters, digits "
                           "and '-'", index, "code")
            elif code in seen:
                self.error(DUPLICATE_CODE, f"{code} appears twice in the batch (first at "
                           f"index {seen[code]})", index, "code")
            else:
                seen[code] = index
        uids = [element_uid(self.fw, code) for code in seen]
        stored = await FrameworkRepository(self.store).nodes_by_uid(self.label, uids)
        self.existing = {node["code"]: node for node in stored if node is not None}
        return True

    def batch_codes(self) -> list[str]:
        return [r["code"] for r in self.rows if isinstance(r.get("code"), str)]

    def uid(self, code: str) -> str:
        return element_uid(self.fw, code)

    def is_new(self, row: Row) -> bool:
        return row.get("code") not in self.existing

    def known(self, label: str, code: Any, index: int, field: str,
              extra: Iterable[str] = ()) -> bool:
        """``code`` names an element of ``label`` in this version (or in ``extra``)."""
        pool = self.globals[label] if label in {"Level", "Layer", "Strand", "College"} else (
            self.codes[label])
        if isinstance(code, str) and (code in pool or code in set(extra)):
            return True
        what = {"JobRole": "job role"}.get(label, label.lower())
        self.error(UNKNOWN_CODE, f"unknown {what} code {code!r} in {self.fw}", index, field)
        return False

    def props(self, row: Row, index: int, keys: Sequence[str] = ()) -> dict[str, Any]:
        """The element's full props after this row: stored values, overwritten where given."""
        code = str(row.get("code"))
        props: dict[str, Any] = {k: v for k, v in self.existing.get(code, {}).items()
                                 if k not in {"uid", "fw"}}
        props.update({"code": code, "uid": self.uid(code), "fw": self.fw})
        for key in _TEXTS:
            if key in row:
                value = row[key]
                if value is None or not str(value).strip():
                    self.error(MISSING_FIELD, f"{key} cannot be empty", index, key)
                else:
                    props[key] = str(value).strip()
            elif self.is_new(row):
                self.error(MISSING_FIELD, f"a new element needs {key}", index, key)
        for key in _OPTIONAL_TEXTS:
            if key in row:
                value = row[key]
                props[key] = str(value).strip() if value and str(value).strip() else None
            else:
                props.setdefault(key, None)
        for key in keys:
            if key in row:
                if row[key] is None or row[key] == "":
                    self.error(MISSING_FIELD, f"{key} cannot be empty", index, key)
                props[key] = row[key]
            elif self.is_new(row):
                self.error(MISSING_FIELD, f"a new element needs {key}", index, key)
            props.setdefault(key, None)
        return props

    def proficiency(self, value: Any, level: str | None, index: int, field: str,
                    *, design: bool = False) -> int | None:
        """1–4, and within the level's maximum unless the source says why (``design: ...``)."""
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            self.error(PROFICIENCY_OUT_OF_RANGE, f"proficiency {value!r} is outside 1–4 "
                       "(1 了解 · 2 运用 · 3 设计 · 4 创新)", index, field)
            return None
        if level in self.levels and value > self.levels[level][1] and not design:
            top = self.levels[level][1]
            self.error(PROFICIENCY_ABOVE_LEVEL_MAX, f"proficiency {value} exceeds level "
                       f"{level}'s maximum {top} (allowed only with a source starting "
                       "'design' that says why)", index, field)
        return value

    def number(self, value: Any, index: int, field: str, low: float, high: float,
               *, whole: bool = False, open_low: bool = False) -> Any:
        kind = int if whole else (int, float)
        bad = isinstance(value, bool) or not isinstance(value, kind) or value > high or (
            value <= low if open_low else value < low)
        if bad:
            bound = f"({low}, {high}]" if open_low else f"{low}..{high}"
            self.error(INVALID_VALUE, f"{field} must be {'a whole number ' if whole else ''}"
                       f"in {bound}, got {value!r}", index, field)
            return None
        return value

    def level(self, props: dict[str, Any], index: int) -> str | None:
        level = props.get("level")
        if level is not None and self.known("Level", level, index, "level"):
            return str(level)
        return None

    def cycle(self, edges: Iterable[Record], label: str, what: str) -> None:
        """Refuse a prerequisite cycle among stored edges with this batch's lists applied."""
        graph: dict[str, list[str]] = defaultdict(list)
        for edge in edges:
            graph[edge["source"]].append(edge["target"])
        positions: dict[str, int] = {}
        for index, row in enumerate(self.rows):
            if isinstance(row.get("code"), str):
                positions[row["code"]] = index
                if "requires" in row:
                    graph[row["code"]] = [c for c in row["requires"] or []
                                          if isinstance(c, str) and c != row["code"]]
        found = find_cycle(graph)
        if not found:
            return
        ring = found[:-1]
        start = min(range(len(ring)), key=lambda i: positions.get(ring[i], len(self.rows)))
        ring = ring[start:] + ring[:start]
        self.error(PREREQUISITE_CYCLE, f"{what}: {' → '.join([*ring, ring[0]])}",
                   positions.get(ring[0]), "requires")

    def requires(self, row: Row, index: int, label: str) -> list[str] | None:
        """The row's prerequisite list, checked; ``None`` when the row keeps the stored one."""
        if "requires" not in row:
            return None
        codes: list[str] = []
        for position, code in enumerate(row["requires"] or []):
            where = f"requires[{position}]"
            if code == row.get("code"):
                self.error(PREREQUISITE_CYCLE, f"{code} cannot require itself: "
                           f"{code} → {code}", index, where)
            elif code in codes:
                self.error(INVALID_VALUE, f"{code} is listed twice", index, where)
            elif self.known(label, code, index, where,
                            self.batch_codes() if label == self.label else ()):
                codes.append(code)
        return codes

    def links(self, row: Row, index: int, key: str, level: str | None, design: bool,
              recheck: list[Record] | None, extra: Any = None) -> list[Row] | None:
        """Competency links (teaches, measures, needs, overrides) as ``[{target, props}]``;
        ``None`` keeps the stored links.

        ``recheck`` holds the stored links when the element's level changes: they must fit
        the new level too (a course moved to 中职 cannot keep teaching at 设计 level).
        """
        if key in row:
            specs = list(row[key] or [])
        elif recheck is not None:
            specs = [{"competency": r["node"]["code"],
                      **{k: r.get(k) for k in ("proficiency", "weight", "essential")
                         if k in r}} for r in recheck]
        else:
            if self.is_new(row) and key != "overrides":
                self.error(MISSING_FIELD, f"a new element needs {key} (a list)", index, key)
            return [] if self.is_new(row) else None
        result: list[Row] = []
        seen: set[str] = set()
        for position, spec in enumerate(specs):
            where = f"{key}[{position}]"
            competency = spec.get("competency")
            if competency in seen:
                self.error(INVALID_VALUE, f"{competency} is listed twice", index, where)
                continue
            if not self.known("Competency", competency, index, f"{where}.competency"):
                continue
            seen.add(competency)
            value = self.proficiency(spec.get("proficiency"), level, index,
                                     f"{where}.proficiency", design=design)
            props: dict[str, Any] = {"proficiency": value}
            if extra is not None:
                props.update(extra(spec, index, where))
            result.append({"target": self.uid(competency), "props": props})
        return result


def _rows(links: Iterable[Row]) -> dict[str, Any]:
    links = list(links)
    return {"links": links, "targets": [link["target"] for link in links]}


def _summary(batch: _Batch, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    created = [r["code"] for r in batch.rows if batch.is_new(r)]
    updated = {r["code"]: sorted(k for k in r if k != "code")
               for r in batch.rows if not batch.is_new(r)}
    return {"created": created, "updated": updated, **(extra or {})}


async def _write(store: GraphStore, steps: Sequence[tuple[Cypher, list[Row]]]) -> None:
    for query, rows in steps:
        if rows:
            await store.write(query, {"rows": rows})


async def _finish(batch: _Batch, actor: Actor, mutation: str,
                  extra: Mapping[str, Any] | None = None) -> EditResult:
    codes = [str(r["code"]) for r in batch.rows]
    audit = await record_audit(batch.store, actor, mutation, batch.fw, codes,
                               _summary(batch, extra))
    return EditResult(codes=codes, audit=audit)


# ---- competencies ------------------------------------------------------------------------
async def upsert_competencies(store: GraphStore, fw: str, rows: Sequence[Row],
                              actor: Actor) -> EditResult:
    """Create or update competencies with their per-level requirements, prerequisites and
    progression links (能力及其分层要求), then refresh the targets of the version's programs."""
    batch = _Batch(store, fw, "Competency", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    repository = FrameworkRepository(store)
    uids = [batch.uid(code) for code in batch.existing]
    stored_requirements = dict(zip(uids, await repository.edges("requirements", uids),
                                   strict=True))
    stored_links: dict[str, list[Record]] = defaultdict(list)
    for link in await store.read(OUTGOING_PROGRESSIONS, {"uids": uids}):
        stored_links[link["uid"]].append(link)

    nodes, layers, strands, majors, industries = [], [], [], [], []
    requirements: list[Row] = []
    kept_levels: list[Row] = []
    prerequisites: list[Row] = []
    levels_after: dict[str, list[str]] = {
        code: list(info.get("levels") or []) for code, info in batch.codes["Competency"].items()}
    wanted_links: dict[str, list[tuple[str, str, str]]] = {}
    for index, row in enumerate(batch.rows):
        code = str(row.get("code"))
        props = batch.props(row, index, ("layer",))
        if props.get("layer") is not None:
            batch.known("Layer", props["layer"], index, "layer")
        if "strands" in row:
            props["strands"] = [s for p, s in enumerate(row["strands"] or [])
                                if batch.known("Strand", s, index, f"strands[{p}]")]
        props.setdefault("strands", [])
        for key, label in (("major", "Major"), ("industry", "Industry")):
            if key in row:
                props[key] = row[key] or None
            props.setdefault(key, None)
            if props[key] is not None:
                batch.known(label, props[key], index, key)
        if props.get("layer") == "PRO" and not props.get("major"):
            batch.error(MISSING_FIELD, "a PRO (专业技能) competency needs its major", index,
                        "major")
        if props.get("layer") == "IND" and not props.get("industry"):
            batch.error(MISSING_FIELD, "an IND (行业能力) competency needs its industry", index,
                        "industry")
        specs = _requirement_specs(batch, row, index, stored_requirements.get(batch.uid(code)))
        design = _is_design(props.get("source"))
        levels: list[str] = []
        for spec_index, spec in specs:
            level = spec.get("level")
            where = f"requirements[{spec_index}]" if spec_index is not None else "requirements"
            if level in levels:
                batch.error(INVALID_VALUE, f"two requirements at level {level}", index, where)
                continue
            if not batch.known("Level", level, index, f"{where}.level"):
                continue
            levels.append(str(level))
            value = spec.get("proficiency")
            if spec_index is not None:  # stored requirements were checked when written
                value = batch.proficiency(value, level, index, f"{where}.proficiency",
                                          design=design or _is_design(spec.get("source")))
                for key in ("descriptorZh", "descriptorEn"):
                    if not spec.get(key) or not str(spec[key]).strip():
                        batch.error(MISSING_FIELD, f"a requirement needs {key}", index,
                                    f"{where}.{key}")
            uid = requirement_uid(fw, code, str(level))
            requirements.append({
                "uid": uid, "competencyUid": batch.uid(code), "level": level,
                "props": {"uid": uid, "fw": fw, "code": f"{code}@{level}", "competency": code,
                          "level": level, "layer": props.get("layer"),
                          "rank": batch.levels.get(str(level), (0, 0))[0],
                          "proficiency": value, "descriptorZh": spec.get("descriptorZh"),
                          "descriptorEn": spec.get("descriptorEn"),
                          "source": spec.get("source") or props.get("source")},
            })
        levels.sort(key=lambda lv: batch.levels.get(str(lv), (99, 0))[0])
        props["levels"] = levels
        levels_after[code] = levels
        uid = batch.uid(code)
        kept_levels.append({"uid": uid, "levels": levels})
        nodes.append({"uid": uid, "props": props})
        layers.append({"uid": uid, **_rows([{"target": props.get("layer"), "props": {}}])})
        strands.append({"uid": uid, **_rows({"target": s, "props": {}}
                                            for s in props["strands"])})
        majors.append({"uid": uid, **_rows([{"target": batch.uid(props["major"]), "props": {}}]
                                           if props.get("major") else [])})
        industries.append({"uid": uid, **_rows(
            [{"target": batch.uid(props["industry"]), "props": {}}]
            if props.get("industry") else [])})
        required = batch.requires(row, index, "Competency")
        if required is not None:
            prerequisites.append({"uid": uid, **_rows({"target": batch.uid(c), "props": {}}
                                                      for c in required)})
        elif batch.is_new(row):
            prerequisites.append({"uid": uid, **_rows([])})
        wanted_links[code] = _progression_specs(batch, row, index, stored_links.get(uid, []))
    progressions, keep = _check_progressions(batch, levels_after, wanted_links)
    batch.cycle(await store.read(COMPETENCY_PREREQUISITE_EDGES, {"fw": fw}), "Competency",
                "prerequisite cycle")
    if batch.errors:
        return EditResult(errors=batch.errors)
    await _write(store, [
        (UPSERT_COMPETENCY_NODES, nodes),
        (RELINK_COMPETENCY_LAYER, layers),
        (RELINK_COMPETENCY_STRANDS, strands),
        (RELINK_COMPETENCY_MAJOR, majors),
        (RELINK_COMPETENCY_INDUSTRY, industries),
        (UPSERT_REQUIREMENTS, requirements),
        (PRUNE_REQUIREMENTS, kept_levels),
        (RELINK_PREREQUISITES, prerequisites),
        (LINK_PROGRESSIONS, progressions),
        (PRUNE_PROGRESSIONS, keep),
    ])
    await refresh_program_targets(store, framework=fw)
    return await _finish(batch, actor, "upsertCompetencies")


def _requirement_specs(batch: _Batch, row: Row, index: int,
                       stored: list[Record] | None) -> list[tuple[int | None, Row]]:
    """Given requirements (with their list position), else the stored ones (position None)."""
    if "requirements" in row and row["requirements"] is not None:
        if not row["requirements"]:
            batch.error(MISSING_FIELD, "a competency needs a requirement at one level at least",
                        index, "requirements")
        return list(enumerate(row["requirements"]))
    if batch.is_new(row):
        batch.error(MISSING_FIELD, "a new competency needs requirements", index, "requirements")
        return []
    return [(None, edge["node"]) for edge in stored or []]


def _progression_specs(batch: _Batch, row: Row, index: int,
                       stored: list[Record]) -> list[tuple[str, str, str]]:
    """Cross-competency progressions wanted from this row: (from level, competency, level)."""
    code = row.get("code")
    if "progressesTo" in row:
        wanted = []
        for position, link in enumerate(row["progressesTo"] or []):
            wanted.append((str(link.get("from")), str(link.get("competency")),
                           str(link.get("level"))))
            if not batch.known("Competency", link.get("competency"), index,
                               f"progressesTo[{position}].competency",
                               batch.batch_codes()):
                wanted.pop()
        return wanted
    return [(link["fromLevel"], link["competency"], link["level"]) for link in stored
            if link["competency"] != code]


def _check_progressions(batch: _Batch, levels_after: dict[str, list[str]],
                        wanted: dict[str, list[tuple[str, str, str]]],
                        ) -> tuple[list[Row], list[Row]]:
    """Edges to merge and, per competency, the edges to keep: the implied chain ZZ → GZ → BK
    within the competency plus the cross-competency links asked for (中高本贯通)."""
    merges: list[Row] = []
    keep: list[Row] = []
    rank = {code: value[0] for code, value in batch.levels.items()}
    for index, row in enumerate(batch.rows):
        code = str(row.get("code"))
        levels = levels_after.get(code, [])
        pairs = [(code, a, code, b) for a, b in itertools.pairwise(levels)]
        given = "progressesTo" in row
        for position, (source_level, target, level) in enumerate(wanted.get(code, [])):
            where = f"progressesTo[{position}]"
            if source_level not in levels:
                if given:
                    batch.error(INVALID_VALUE, f"progressesTo.from {source_level!r}: {code} has "
                                "no requirement at that level", index, f"{where}.from")
                continue
            if level not in levels_after.get(target, []):
                if given:
                    batch.error(INVALID_VALUE, f"progressesTo: {target} has no requirement at "
                                f"{level!r}", index, f"{where}.level")
                continue
            if rank.get(level, 0) <= rank.get(source_level, 0):
                if given:
                    batch.error(INVALID_VALUE, "progressesTo must lead to a higher level",
                                index, f"{where}.level")
                continue
            pairs.append((code, source_level, target, level))
        edges = [{"source": requirement_uid(batch.fw, a, la),
                  "target": requirement_uid(batch.fw, b, lb)} for a, la, b, lb in pairs]
        merges += edges
        keep.append({"uid": batch.uid(code),
                     "keep": [f"{e['source']}>{e['target']}" for e in edges]})
    return merges, keep


async def remove_competencies(store: GraphStore, fw: str, codes: Sequence[str],
                              actor: Actor) -> EditResult:
    """Delete competencies (and their requirements) from a draft; refused while anything
    outside the batch still teaches, measures, needs, requires or progresses to them."""
    batch = _Batch(store, fw, "Competency", [{"code": code} for code in codes])
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    for index, code in enumerate(codes):
        batch.known("Competency", code, index, "code")
    if batch.errors:
        return EditResult(errors=batch.errors)
    position = {code: index for index, code in enumerate(codes)}
    uids = [batch.uid(code) for code in codes]
    users: dict[str, set[str]] = defaultdict(set)
    for ref in await store.read(COMPETENCY_REFERENCES, {"uids": uids}):
        referrer = str(ref["referrer"])
        if ref["type"] == "REQUIRES" and referrer in position:
            continue
        if ref["type"] == "PROGRESSES_TO" and referrer.split("@", 1)[0] in position:
            continue
        users[ref["code"]].add(f"{referrer} ({ref['type']})")
    for code, referrers in users.items():
        batch.error(IN_USE, f"{code} is still used by {', '.join(sorted(referrers))}: "
                    "change those first", position[code], "code")
    if batch.errors:
        return EditResult(errors=batch.errors)
    await store.write(REMOVE_COMPETENCIES, {"uids": uids})
    await refresh_program_targets(store, framework=fw)
    audit = await record_audit(store, actor, "removeCompetencies", fw, list(codes),
                               {"removed": list(codes)})
    return EditResult(codes=list(codes), audit=audit)


# ---- courses, assessments, job roles -----------------------------------------------------
async def upsert_courses(store: GraphStore, fw: str, rows: Sequence[Row],
                         actor: Actor) -> EditResult:
    """Create or update courses 课程: what they teach, at what proficiency, and which
    courses come first (a course prerequisite cycle is refused)."""
    batch = _Batch(store, fw, "Course", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    stored = await _stored_edges(batch, "courseTeaches")
    nodes, teaches, prerequisites = [], [], []
    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("level", "layer", "kind", "credits", "hours"))
        level = batch.level(props, index)
        if props.get("layer") is not None:
            batch.known("Layer", props["layer"], index, "layer")
        if props.get("kind") is not None and props["kind"] not in COURSE_KINDS:
            batch.error(INVALID_VALUE, f"kind must be one of {', '.join(COURSE_KINDS)}",
                        index, "kind")
        if "credits" in row:
            value = batch.number(row["credits"], index, "credits", 0, 30, open_low=True)
            props["credits"] = float(value) if value is not None else None
        if "hours" in row:
            props["hours"] = batch.number(row["hours"], index, "hours", 1, 2000, whole=True)
        for key, label in (("major", "Major"), ("industry", "Industry")):
            if key in row:
                props[key] = row[key] or None
            props.setdefault(key, None)
            if props[key] is not None:
                batch.known(label, props[key], index, key)
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        links = batch.links(row, index, "teaches", level, _is_design(props.get("source")),
                            _recheck(batch, row, level, stored))
        if links is not None:
            teaches.append({"uid": uid, **_rows(links)})
        required = batch.requires(row, index, "Course")
        if required is not None or batch.is_new(row):
            prerequisites.append({"uid": uid, **_rows({"target": batch.uid(c), "props": {}}
                                                      for c in required or [])})
    batch.cycle(await store.read(COURSE_PREREQUISITE_EDGES, {"fw": fw}), "Course",
                "course prerequisite cycle")
    if batch.errors:
        return EditResult(errors=batch.errors)
    await _write(store, [(UPSERT_COURSES, nodes), (RELINK_TEACHES, teaches),
                         (RELINK_COURSE_PREREQUISITES, prerequisites)])
    return await _finish(batch, actor, "upsertCourses")


def _recheck(batch: _Batch, row: Row, level: str | None,
             stored: dict[str, list[Record]]) -> list[Record] | None:
    """The stored links of an element whose level this row changes (else None)."""
    code = str(row.get("code"))
    if batch.is_new(row) or batch.existing[code].get("level") == level:
        return None
    return stored.get(batch.uid(code), [])


async def _stored_edges(batch: _Batch, name: str) -> dict[str, list[Record]]:
    uids = [batch.uid(code) for code in batch.existing]
    rows = await FrameworkRepository(batch.store).edges(name, uids)
    return dict(zip(uids, rows, strict=True))


async def upsert_assessments(store: GraphStore, fw: str, rows: Sequence[Row],
                             actor: Actor) -> EditResult:
    """Create or update assessments 评价工具 of one level and what they measure (weights)."""
    batch = _Batch(store, fw, "Assessment", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    stored = await _stored_edges(batch, "assessmentMeasures")
    nodes, measures = [], []

    def weight(spec: Row, index: int, where: str) -> dict[str, Any]:
        return {"weight": batch.number(spec.get("weight"), index, f"{where}.weight", 0, 1,
                                       open_low=True)}

    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("level", "kind", "maxScore"))
        level = batch.level(props, index)
        if props.get("kind") is not None and props["kind"] not in ASSESSMENT_KINDS:
            batch.error(INVALID_VALUE, f"kind must be one of {', '.join(ASSESSMENT_KINDS)}",
                        index, "kind")
        if "maxScore" in row:
            props["maxScore"] = batch.number(row["maxScore"], index, "maxScore", 1, 100000,
                                             whole=True)
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        links = batch.links(row, index, "measures", level, _is_design(props.get("source")),
                            _recheck(batch, row, level, stored), weight)
        if links is not None:
            measures.append({"uid": uid, **_rows(links)})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await _write(store, [(UPSERT_ASSESSMENTS, nodes), (RELINK_MEASURES, measures)])
    return await _finish(batch, actor, "upsertAssessments")


async def upsert_job_roles(store: GraphStore, fw: str, rows: Sequence[Row],
                           actor: Actor, *, mutation: str = "upsertJobRoles",
                           summary: Mapping[str, Any] | None = None) -> EditResult:
    """Create or update typical jobs 岗位 and the competencies they need (``mutation`` and
    ``summary``: what the audit entry records, for edits made on behalf of another one)."""
    batch = _Batch(store, fw, "JobRole", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    stored = await _stored_edges(batch, "jobRoleNeeds")
    nodes, needs = [], []

    def essential(spec: Row, index: int, where: str) -> dict[str, Any]:
        value = spec.get("essential", False)
        if value is None:
            value = False
        if not isinstance(value, bool):
            batch.error(INVALID_VALUE, "essential must be true or false", index,
                        f"{where}.essential")
        return {"essential": bool(value)}

    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("level", "industry"))
        level = batch.level(props, index)
        if props.get("industry") is not None:
            batch.known("Industry", props["industry"], index, "industry")
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        links = batch.links(row, index, "needs", level, _is_design(props.get("source")),
                            _recheck(batch, row, level, stored), essential)
        if links is not None:
            needs.append({"uid": uid, **_rows(links)})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await _write(store, [(UPSERT_JOB_ROLES, nodes), (RELINK_NEEDS, needs)])
    return await _finish(batch, actor, mutation, summary)


# ---- majors and programs -----------------------------------------------------------------
async def upsert_majors(store: GraphStore, fw: str, rows: Sequence[Row],
                        actor: Actor) -> EditResult:
    """Create or update majors 专业; a level still used by a program cannot be dropped."""
    batch = _Batch(store, fw, "Major", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    nodes, industries = [], []
    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("industry", "levels"))
        if props.get("industry") is not None:
            batch.known("Industry", props["industry"], index, "industry")
        levels = [lv for p, lv in enumerate(props.get("levels") or [])
                  if batch.known("Level", lv, index, f"levels[{p}]")]
        if "levels" in row and not levels:
            batch.error(MISSING_FIELD, "a major is offered at one level at least", index,
                        "levels")
        if len(set(levels)) != len(levels):
            batch.error(INVALID_VALUE, "a level is listed twice", index, "levels")
        props["levels"] = sorted(set(levels), key=lambda lv: batch.levels[lv][0])
        if "catalogCodes" in row:
            catalog = [str(c) for c in row["catalogCodes"] or []]
            for position, entry in enumerate(catalog):
                level, _, number = entry.partition(":")
                if level not in props["levels"] or not number:
                    batch.error(INVALID_VALUE, f"catalog code {entry!r} must be LEVEL:CODE for "
                                "a level of the major", index, f"catalogCodes[{position}]")
            props["catalogCodes"] = sorted(catalog)
        props.setdefault("catalogCodes", [])
        for program, info in batch.codes["Program"].items():
            if info.get("major") == row.get("code") and info.get("level") not in levels \
                    and "levels" in row:
                batch.error(IN_USE, f"program {program} runs this major at {info['level']}: "
                            "that level cannot be dropped", index, "levels")
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        industries.append({"uid": uid, **_rows([{"target": batch.uid(props["industry"]),
                                                 "props": {}}] if props.get("industry")
                                               else [])})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await _write(store, [(UPSERT_MAJOR_NODES, nodes), (RELINK_MAJOR_INDUSTRY, industries)])
    await refresh_program_targets(store, framework=fw)
    return await _finish(batch, actor, "upsertMajors")


async def upsert_programs(store: GraphStore, fw: str, rows: Sequence[Row],
                          actor: Actor) -> EditResult:
    """Create or update programs 人才培养方案: courses by semester (required or elective)
    and target overrides; then refresh the programs' targets."""
    batch = _Batch(store, fw, "Program", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    nodes, colleges, majors, courses, overrides = [], [], [], [], []
    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("college", "major", "level"))
        level = batch.level(props, index)
        if props.get("college") is not None:
            batch.known("College", props["college"], index, "college")
        major = props.get("major")
        if (major is not None and batch.known("Major", major, index, "major") and level
                and level not in (batch.codes["Major"][major].get("levels") or [])):
            batch.error(INVALID_VALUE, f"major {major} is not offered at level {level}",
                        index, "level")
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        colleges.append({"uid": uid, "college": props.get("college")})
        majors.append({"uid": uid, **_rows([{"target": batch.uid(str(major)), "props": {}}])})
        if "courses" in row or batch.is_new(row):
            courses.append({"uid": uid, **_rows(_program_courses(batch, row, index))})
        if "overrides" in row or batch.is_new(row):
            links = batch.links(row, index, "overrides", level,
                                _is_design(props.get("source")), None)
            overrides.append({"uid": uid, **_rows(links or [])})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await _write(store, [(UPSERT_PROGRAM_NODES, nodes), (RELINK_PROGRAM_COLLEGE, colleges),
                         (RELINK_PROGRAM_MAJOR, majors), (RELINK_PROGRAM_COURSES, courses),
                         (RELINK_PROGRAM_OVERRIDES, overrides)])
    await refresh_program_targets(store, [str(node["uid"]) for node in nodes])
    return await _finish(batch, actor, "upsertPrograms")


def _program_courses(batch: _Batch, row: Row, index: int) -> list[Row]:
    links: list[Row] = []
    seen: set[str] = set()
    for position, spec in enumerate(row.get("courses") or []):
        where = f"courses[{position}]"
        course = spec.get("course")
        if course in seen:
            batch.error(INVALID_VALUE, f"course {course} is listed twice", index, where)
            continue
        if not batch.known("Course", course, index, f"{where}.course"):
            continue
        seen.add(course)
        semester = batch.number(spec.get("semester"), index, f"{where}.semester", 1, 12,
                                whole=True)
        required = spec.get("required", True)
        if required is None:
            required = True
        if not isinstance(required, bool):
            batch.error(INVALID_VALUE, "required must be true or false", index,
                        f"{where}.required")
        links.append({"target": batch.uid(course),
                      "props": {"semester": semester, "required": bool(required)}})
    return links
