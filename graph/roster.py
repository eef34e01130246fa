"""The student list and record totals: pages of a college's students, counts."""

from __future__ import annotations

from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["record_totals", "student_count", "student_page"]

RECORD_TOTALS = Cypher(
    "MATCH (s:Student) RETURN 'students' AS kind, count(s) AS n "
    "UNION ALL MATCH (:Student)-[r:TOOK]->(:Assessment) RETURN 'results' AS kind, count(r) AS n "
    "UNION ALL MATCH (:Student)-[d:COMPLETED]->(:Course) "
    "RETURN 'completions' AS kind, count(d) AS n "
    "UNION ALL MATCH (:Student)-[h:HOLDS]->(:Certification) "
    "RETURN 'certifications' AS kind, count(h) AS n"
)


async def record_totals(store: GraphStore) -> dict[str, int]:
    """How many students, results, completions and certifications the store holds."""
    return {row["kind"]: int(row["n"]) for row in await store.read(RECORD_TOTALS)}


STUDENT_PAGE = Cypher(
    "MATCH (s:Student {college: $college}) "
    "WHERE ($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
    "AND ($after IS NULL OR s.code > $after) "
    "RETURN s {.uid, .code, .college, .program, .programCode, .fw, .level, .major, "
    ".classLabel, .enrolledOn} AS node ORDER BY s.code LIMIT $limit"
)
STUDENT_COUNT = Cypher(
    "MATCH (s:Student {college: $college}) "
    "WHERE ($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
    "RETURN count(s) AS total"
)


async def student_page(store: GraphStore, college: str, program: str | None,
                       class_label: str | None, after: str | None, limit: int) -> list[Record]:
    rows = await store.read(STUDENT_PAGE, {"college": college, "program": program,
                                           "classLabel": class_label, "after": after,
                                           "limit": limit})
    return [row["node"] for row in rows]


async def student_count(store: GraphStore, college: str, program: str | None,
                        class_label: str | None) -> int:
    rows = await store.read(STUDENT_COUNT, {"college": college, "program": program,
                                            "classLabel": class_label})
    return int(rows[0]["total"]) if rows else 0
