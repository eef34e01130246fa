"""Each cohort group's ``Cohort`` node rebuilt whole from its members (see graph.attainment,
where every writer that changes attainment, enrolment or targets ends)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from graph.batches import MAX_BATCH
from graph.cohort_figures import GroupTally
from graph.cypher import Cypher
from graph.scope import decode_scope
from graph.store import GraphStore, Record

if TYPE_CHECKING:
    from graph.cohort_tallies import CohortTallies

__all__ = ["GROUP_MEMBERS", "PROGRAM_SCOPES", "group_key", "refresh_groups"]

PROGRAM_SCOPES = Cypher(
    "UNWIND $programs AS pid MATCH (p:Program {uid: pid}) "
    "RETURN pid AS program, p.scope AS scope, p.college AS college"
)
# A group's members with their attainment, and the group's revision, read in one query so
# the revision dates the snapshot the rebuild is computed from. A row per group counts its
# members and names only those counted in another group (``moved``) and those an import's
# tally counted (``ours``: marked with ``g.token``, see graph.cohort_tallies; '' for none); a
# row per evidenced member not in ``ours`` follows (``rev`` null) with its attainment as two
# flat lists (competency uids, attained levels) rather than a list of pairs: a province's
# refresh reads ~1M of them, and decoding a pair per edge was most of the refresh's time.
# Members without evidence (a freshly enrolled group) cost a count, not a row each: a third
# of an enrolment's refresh in the importer, and half of the engine's work on it. No
# aggregate sees a null (the lists collect '' and drop it): Neo4j warns (01G11) on every
# call otherwise.
GROUP_MEMBERS = Cypher(
    "UNWIND $groups AS g "
    "OPTIONAL MATCH (k:Cohort {key: g.key}) "
    "WITH g, coalesce(k.rev, 0) AS rev "
    "OPTIONAL MATCH (s:Student {groupKey: g.key}) "
    "WITH g, rev, sum(CASE WHEN s IS NULL THEN 0 ELSE 1 END) AS members, "
    "[u IN collect(CASE WHEN s IS NOT NULL AND (coalesce(s.cohortProgram, '') <> g.program "
    "OR coalesce(s.cohortClass, '') <> g.classLabel) THEN s.uid ELSE '' END) WHERE u <> ''] "
    "AS moved, "
    "[u IN collect(CASE WHEN g.token <> '' AND s.standingBy = g.token THEN s.uid ELSE '' END) "
    "WHERE u <> ''] AS ours "
    "RETURN g.key AS key, rev, members, moved, ours, [] AS competencies, [] AS levels "
    "UNION ALL "
    "UNWIND $groups AS g "
    "MATCH (s:Student {groupKey: g.key}) "
    "WHERE g.token = '' OR coalesce(s.standingBy, '') <> g.token "
    "MATCH (s)-[a:STANDS]->(c:Competency) "
    "WITH g.key AS key, s, collect(c.uid) AS competencies, "
    "collect(coalesce(a.attained, 0)) AS levels "
    "RETURN key, null AS rev, null AS members, null AS moved, null AS ours, competencies, "
    "levels"
)
# Rebuilt whole, guarded by the revision read with the members: a rebuild computed from a
# snapshot that another rebuild has since replaced writes nothing and is computed again.
WRITE_GROUPS = Cypher(
    "UNWIND $groups AS g "
    "MERGE (k:Cohort {key: g.key}) "
    "ON CREATE SET k.rev = 0 "
    "WITH k, g WHERE coalesce(k.rev, 0) = g.rev "
    "SET k.rev = g.rev + 1, k.college = g.college, k.program = g.program, "
    "k.classLabel = g.classLabel, k.students = g.students, k.figures = g.figures "
    "RETURN g.key AS key"
)
MARK_COUNTED = Cypher(
    "UNWIND $rows AS row MATCH (s:Student {uid: row.uid}) "
    "SET s.cohortProgram = row.program, s.cohortClass = row.classLabel "
    "RETURN count(s) AS marked"
)
# Groups rebuilt per read: a read's reply (every evidenced member's attainment) is decoded
# whole, and groups grow with the students a province has (~77 each at 100k students): at 64
# a read, the importer kept ~57 MiB more after the rebuild at 100k students (+11 MiB at 20k,
# +1 MiB at 8 a read, for ~0.3 s more over 1,300 groups).
_GROUPS_PER_QUERY = 16
_ATTEMPTS = 20


def group_key(program: str, class_label: str | None) -> str:
    """As ENROL_STUDENTS writes ``Student.groupKey`` and the Cohort node's ``key``."""
    return f"{program}|{class_label or ''}"


async def refresh_groups(store: GraphStore, groups: set[tuple[str, str]],
                         tallies: CohortTallies | None = None) -> None:
    """Rebuild each (program, class label) group's ``Cohort`` node whole from its members."""
    pending = sorted(groups)
    marks: list[dict[str, Any]] = []
    for start in range(0, len(pending), _GROUPS_PER_QUERY):
        marks += await _rebuild(store, pending[start:start + _GROUPS_PER_QUERY], tallies)
    # only once every group is rebuilt: a student that moved is marked as counted in its new
    # group after its old group stopped counting it, so a crash in between loses nothing
    for start in range(0, len(marks), MAX_BATCH):
        await store.write(MARK_COUNTED, {"rows": marks[start:start + MAX_BATCH]})


async def _rebuild(store: GraphStore, groups: list[tuple[str, str]],
                   tallies: CohortTallies | None) -> list[dict[str, Any]]:
    """Rebuild a few groups; returns the members to mark as counted in them. A group an
    import's ``tallies`` still stand for reads only the members they do not count."""
    scopes = {row["program"]: row for row in await store.read(
        PROGRAM_SCOPES, {"programs": sorted({program for program, _ in groups})})}
    marks: list[dict[str, Any]] = []
    for _ in range(_ATTEMPTS):
        counted: dict[str, GroupTally] = {}
        token = ""
        if tallies is not None:
            token = tallies.token
            for program, label in groups:
                found = scopes.get(program)
                tally = tallies.trusted(group_key(program, label), program,
                                        found["scope"] if found else None)
                if tally is not None:
                    counted[group_key(program, label)] = tally
        heads: dict[str, Record] = {}
        evidenced: dict[str, list[Iterable[Sequence[Any]]]] = {}
        for row in await store.read(GROUP_MEMBERS, {"groups": [
                {"key": key, "program": p, "classLabel": c,
                 "token": token if key in counted else ""}
                for p, c in groups for key in (group_key(p, c),)]}):
            if row["rev"] is not None:
                heads[row["key"]] = row
            else:
                evidenced.setdefault(row["key"], []).append(
                    zip(row["competencies"], row["levels"], strict=True))
        writes = []
        moved: dict[str, list[dict[str, Any]]] = {}
        for program, label in groups:
            key = group_key(program, label)
            found, head, members = scopes.get(program), heads.get(key), evidenced.get(key, [])
            ours = set(head["ours"]) if head else set()
            if key in counted:
                assert tallies is not None
                if ours != tallies.members(key):  # another write came between: read whole
                    tallies.distrust(key)
                    continue
                tally = counted[key].copy()
            else:
                tally = GroupTally(decode_scope(found["scope"] if found else None))
            for evidence in members:
                tally.add(evidence)
            tally.add((), (int(head["members"]) if head else 0) - len(members) - len(ours))
            writes.append({"key": key, "rev": int(head["rev"]) if head else 0,
                           "program": program, "classLabel": label or None,
                           "college": found["college"] if found else None, **tally.summary()})
            moved[key] = [{"uid": uid, "program": program, "classLabel": label or None}
                          for uid in (head["moved"] if head else [])]
        done = {row["key"] for row in await store.write(WRITE_GROUPS, {"groups": writes})}
        for key in done:
            marks += moved[key]
        groups = [(p, c) for p, c in groups if group_key(p, c) not in done]
        if not groups:
            return marks
    raise RuntimeError(f"cohort groups kept changing while being rebuilt: {groups}")
