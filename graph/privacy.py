"""Personal-information operations (个人信息保护法): export and erase one student.

Export gives everything stored about a student: its node (with the summaries kept on it)
and every relationship it has, with the properties of each.

Erase removes the student and all its evidence (results, completions, certificates,
standing), keeping the maintained summaries exact through analytics' own upkeep path: its
standing is first neutralised (no program, nothing attained) and its group's cohort figures
are rebuilt without it (``graph.attainment``); then the node goes with all its relationships.
Each step is idempotent, so an erase interrupted
between them is completed by running it again.

Audit: an ``ErasureRecord`` says who (token subject and role), when, which college and how
much was removed — and deliberately not which student: a record naming the pseudonym
would keep the very identifier the erasure removes. The college's own request register
links its request to the record's id and time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.attainment import groups_of, refresh_groups
from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["Erasure", "erase_student", "erasure_records", "export_student"]

EXPORT_STUDENT = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "OPTIONAL MATCH (s)-[r]->(n) "
    "RETURN properties(s) AS student, "
    "collect(CASE WHEN r IS NULL THEN null ELSE "
    "{type: type(r), target: n.code, targetUid: n.uid, properties: properties(r)} END) AS links"
)
# The student leaves its group (no program) and keeps no attainment: a rebuild of the group
# then no longer counts it.
# One property per REMOVE clause: FalkorDB 4.16's ``REMOVE s.a, s.b`` (and ``SET s.a = null,
# s.b = null``) cleared only the first of two properties here.
NEUTRALISE_STANDING = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "REMOVE s.groupKey "
    "WITH s "
    "REMOVE s.program "
    "WITH s "
    "OPTIONAL MATCH (s)-[a:STANDS]->(:Competency) "
    "DELETE a "
    "RETURN count(*) AS neutralised"
)
COUNT_RELATIONSHIPS = Cypher(
    "MATCH (s:Student {uid: $student}) OPTIONAL MATCH (s)-[r]-() "
    "RETURN type(r) AS type, count(r) AS n"
)
DELETE_STUDENT = Cypher(
    "MATCH (s:Student {uid: $student}) DETACH DELETE s RETURN count(*) AS deleted"
)
RECORD_ERASURE = Cypher(
    "CREATE (e:ErasureRecord {uid: $uid, at: $at, subject: $subject, role: $role, "
    "college: $college, relationships: $relationships}) RETURN e.uid AS uid"
)
ERASURE_RECORDS = Cypher(
    "MATCH (e:ErasureRecord) WHERE $college IS NULL OR e.college = $college "
    "RETURN e {.uid, .at, .subject, .role, .college, .relationships} AS record "
    "ORDER BY e.at DESC LIMIT $limit"
)


@dataclass(frozen=True, slots=True)
class Erasure:
    """The outcome of an erase: whether a student was there, and what went with it."""

    erased: bool
    relationships: int
    record_uid: str | None


async def export_student(store: GraphStore, student: str) -> dict[str, Any] | None:
    """Everything stored about ``student`` (a uid), grouped by relationship type."""
    rows = await store.read(EXPORT_STUDENT, {"student": student})
    if not rows or rows[0]["student"] is None:
        return None
    grouped: dict[str, list[dict[str, Any]]] = {}
    for link in rows[0]["links"]:
        if link is None:
            continue
        grouped.setdefault(str(link["type"]), []).append(
            {"target": link["target"], "targetUid": link["targetUid"],
             **dict(link["properties"] or {})})
    for items in grouped.values():
        items.sort(key=lambda item: (str(item["targetUid"]), sorted(map(str, item.items()))))
    return {"student": dict(rows[0]["student"]), "relationships": grouped}


async def erase_student(store: GraphStore, student: str, college: str, *,
                        subject: str, role: str) -> Erasure:
    """Remove ``student`` (a uid of ``college``) and all its evidence; audited."""
    counts = await store.read(COUNT_RELATIONSHIPS, {"student": student})
    if not counts:
        return Erasure(erased=False, relationships=0, record_uid=None)
    relationships = sum(int(row["n"]) for row in counts if row["type"] is not None)
    groups = await groups_of(store, [student])
    await store.write(NEUTRALISE_STANDING, {"student": student})
    await refresh_groups(store, groups | await groups_of(store, [student]))
    await store.write(DELETE_STUDENT, {"student": student})
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    uid = f"erasure-{at}-{secrets.token_hex(4)}"
    await store.write(RECORD_ERASURE, {"uid": uid, "at": at, "subject": subject,
                                       "role": role, "college": college,
                                       "relationships": relationships})
    return Erasure(erased=True, relationships=relationships, record_uid=uid)


async def erasure_records(store: GraphStore, college: str | None,
                          limit: int = 100) -> list[Record]:
    """The newest erasures (of one college, or all), newest first."""
    rows = await store.read(ERASURE_RECORDS, {"college": college, "limit": limit})
    return [row["record"] for row in rows]
