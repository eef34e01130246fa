"""Write rules of competencies 能力 with their per-level requirements, prerequisites and
progression links; removal while nothing else uses them."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

from graph import rules
from graph.content import (
    LINK_PROGRESSIONS,
    UPSERT_REQUIREMENTS,
)
from graph.cypher import Cypher
from graph.editing.audit import Actor, record_audit
from graph.editing.batch import (
    Batch,
    Row,
    finish,
    link_rows,
    relink,
    write,
)
from graph.editing.errors import (
    IN_USE,
    INVALID_VALUE,
    MISSING_FIELD,
    EditResult,
)
from graph.framework import FrameworkRepository
from graph.ids import requirement_uid
from graph.programs import refresh_program_targets
from graph.rules import is_design
from graph.store import GraphStore, Record

__all__ = ["remove_competencies", "upsert_competencies"]

COMPETENCY_PREREQUISITE_EDGES = Cypher(
    "MATCH (a:Competency {fw: $fw})-[:REQUIRES]->(b:Competency) "
    "RETURN a.code AS source, b.code AS target"
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

UPSERT_COMPETENCY_NODES = Cypher(
    "UNWIND $rows AS row MERGE (n:Competency {uid: row.uid}) SET n += row.props"
)
UPSERT_MAJOR_NODES = Cypher("UNWIND $rows AS row MERGE (n:Major {uid: row.uid}) SET n += row.props")
RELINK_COMPETENCY_LAYER = relink("Competency", "IN_LAYER", "Layer", "code")
RELINK_COMPETENCY_STRANDS = relink("Competency", "IN_STRAND", "Strand", "code")
RELINK_COMPETENCY_MAJOR = relink("Competency", "FOR_MAJOR", "Major")
RELINK_COMPETENCY_INDUSTRY = relink("Competency", "FOR_INDUSTRY", "Industry")
RELINK_PREREQUISITES = relink("Competency", "REQUIRES", "Competency")

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


async def upsert_competencies(store: GraphStore, fw: str, rows: Sequence[Row],
                              actor: Actor) -> EditResult:
    """Create or update competencies with their per-level requirements, prerequisites and
    progression links (能力及其分层要求), then refresh the targets of the version's programs."""
    batch = Batch(store, fw, "Competency", rows)
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
        batch.refuse(rules.anchor_error(props.get("layer"), props.get("major"),
                                        props.get("industry")), index)
        specs = _requirement_specs(batch, row, index, stored_requirements.get(batch.uid(code)))
        design = is_design(props.get("source"))
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
                                          design=design or is_design(spec.get("source")))
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
        layers.append({"uid": uid, **link_rows([{"target": props.get("layer"), "props": {}}])})
        strands.append({"uid": uid, **link_rows({"target": s, "props": {}}
                                            for s in props["strands"])})
        majors.append({"uid": uid, **link_rows([{"target": batch.uid(props["major"]), "props": {}}]
                                           if props.get("major") else [])})
        industries.append({"uid": uid, **link_rows(
            [{"target": batch.uid(props["industry"]), "props": {}}]
            if props.get("industry") else [])})
        required = batch.requires(row, index, "Competency")
        if required is not None:
            prerequisites.append({"uid": uid, **link_rows({"target": batch.uid(c), "props": {}}
                                                      for c in required)})
        elif batch.is_new(row):
            prerequisites.append({"uid": uid, **link_rows([])})
        wanted_links[code] = _progression_specs(batch, row, index, stored_links.get(uid, []))
    progressions, keep = _check_progressions(batch, levels_after, wanted_links)
    batch.cycle(await store.read(COMPETENCY_PREREQUISITE_EDGES, {"fw": fw}), "Competency",
                "prerequisite cycle")
    if batch.errors:
        return EditResult(errors=batch.errors)
    await write(store, [
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
    return await finish(batch, actor, "upsertCompetencies")


def _requirement_specs(batch: Batch, row: Row, index: int,
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


def _progression_specs(batch: Batch, row: Row, index: int,
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


def _check_progressions(batch: Batch, levels_after: dict[str, list[str]],
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
            error = rules.progression_error(code, source_level, levels, target, level,
                                            levels_after.get(target, []), rank)
            if error is not None:
                if given:  # stored links that no longer fit are dropped, not refused
                    batch.refuse(error, index, f"progressesTo[{position}].{error.field}")
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
    batch = Batch(store, fw, "Competency", [{"code": code} for code in codes])
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
