"""How full the framework is, per level × layer: gaps in the content become visible."""

from __future__ import annotations

from collections import defaultdict

from graph.cypher import Cypher
from graph.ids import LEVEL_ORDER
from graph.store import GraphStore

__all__ = ["COVERAGE_KINDS", "coverage"]

COVERAGE_KINDS = ("competencies", "courses", "assessments", "jobs")

COVERAGE = Cypher(
    "MATCH (c:Competency {fw: $fw})-[:HAS_REQUIREMENT]->(r:Requirement) "
    "UNWIND (CASE WHEN 'ETH' IN c.strands THEN [c.layer, 'ETH'] ELSE [c.layer] END) AS cell "
    "RETURN 'competencies' AS kind, r.level AS level, cell, count(DISTINCT c) AS n "
    "UNION ALL "
    "MATCH (co:Course {fw: $fw})-[:TEACHES]->(c:Competency) "
    "UNWIND (CASE WHEN 'ETH' IN c.strands THEN [co.layer, 'ETH'] ELSE [co.layer] END) AS cell "
    "RETURN 'courses' AS kind, co.level AS level, cell, count(DISTINCT co) AS n "
    "UNION ALL "
    "MATCH (a:Assessment {fw: $fw})-[:MEASURES]->(c:Competency) "
    "UNWIND (CASE WHEN 'ETH' IN c.strands THEN [c.layer, 'ETH'] ELSE [c.layer] END) AS cell "
    "RETURN 'assessments' AS kind, a.level AS level, cell, count(DISTINCT a) AS n "
    "UNION ALL "
    "MATCH (j:JobRole {fw: $fw})-[:NEEDS]->(c:Competency) "
    "UNWIND (CASE WHEN 'ETH' IN c.strands THEN [c.layer, 'ETH'] ELSE [c.layer] END) AS cell "
    "RETURN 'jobs' AS kind, j.level AS level, cell, count(DISTINCT j) AS n"
)


async def coverage(store: GraphStore, fw: str) -> dict[tuple[str, str], dict[str, int]]:
    """(level, layer or 'ETH') → counts of competencies, courses, assessments and jobs.

    A course counts in the layer it belongs to (and in ETH when it teaches an ethics
    competency); assessments and jobs count in the layers of the competencies they touch.
    """
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COVERAGE_KINDS, 0))
    for level in LEVEL_ORDER:
        for layer in ("GEN", "PRO", "IND", "ETH"):
            cells[(level, layer)]
    for row in await store.read(COVERAGE, {"fw": fw}):
        cells[(row["level"], row["cell"])][row["kind"]] = int(row["n"])
    return dict(cells)


def format_coverage(cells: dict[tuple[str, str], dict[str, int]]) -> str:
    lines = [f"{'level':<6}{'layer':<6}" + "".join(f"{k:>14}" for k in COVERAGE_KINDS)]
    order = {"GEN": 0, "PRO": 1, "IND": 2, "ETH": 3}
    for (level, layer), counts in sorted(
            cells.items(), key=lambda kv: (LEVEL_ORDER.index(kv[0][0])
                                           if kv[0][0] in LEVEL_ORDER else 9,
                                           order.get(kv[0][1], 9))):
        mark = "" if all(counts.values()) else "   <- gap"
        lines.append(f"{level:<6}{layer:<6}"
                     + "".join(f"{counts[k]:>14}" for k in COVERAGE_KINDS) + mark)
    return "\n".join(lines)
