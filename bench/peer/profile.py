"""``python -m bench.peer.profile``: PROFILE every query the hot paths send to Neo4j.

The queries are not listed by hand: a store that prefixes each query with ``PROFILE`` runs the
project's own code paths (a GraphQL student report with gaps and learning path, cohorts, the
framework browsing queries (a) and (b), a CSV import of new students and their evidence with
a correction, and a refresh of every program's targets), so what is profiled is exactly what
those paths send, with their real parameters. Writes are committed (PROFILE executes them):
run it on a bench database (``python -m bench.peer --work-dir …`` leaves one), never on data
you keep. Per query constant it prints the calls, db hits and rows of the costliest call, the
operators that matter (index seeks, label or all-node scans, cartesian products, eager
operators) and the time, as the table of ``bench/peer/PROFILE.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graph.catalog import all_queries

from bench.peer.students import seed_students, write_csv
from graph.cypher import Cypher
from graph.neo4j_store import Neo4jStore
from graph.store import Record

__all__ = ["ProfilingStore", "main"]

WATCH = ("NodeIndexSeek", "NodeUniqueIndexSeek", "NodeIndexScan", "NodeByLabelScan",
         "AllNodesScan", "DirectedRelationshipTypeScan", "CartesianProduct", "Eager",
         "EagerAggregation", "OrderedAggregation", "NodeHashJoin", "ValueHashJoin",
         "VarLengthExpand(All)", "VarLengthExpand(Into)", "VarLengthExpand(Pruning)",
         "BFSPruningVarLengthExpand(All)", "Apply", "SemiApply", "AntiSemiApply",
         "RollUpApply", "Sort", "PartialSort", "Top", "Merge", "LockingMerge",
         "TransactionForeach", "Distinct", "OrderedDistinct")


def _walk(plan: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = [plan]
    for child in plan.get("children", []) or []:
        found += _walk(child)
    return found


def _summary(plan: Mapping[str, Any]) -> dict[str, Any]:
    operators = _walk(plan)
    types = Counter(str(op.get("operatorType", "?")).split("@")[0] for op in operators)
    seeks = sorted({str(op.get("args", {}).get("Details", ""))[:90] for op in operators
                    if "IndexSeek" in str(op.get("operatorType"))
                    or "IndexScan" in str(op.get("operatorType"))})
    scans = sorted({str(op.get("args", {}).get("Details", ""))[:90] for op in operators
                    if str(op.get("operatorType")).split("@")[0] in
                    ("NodeByLabelScan", "AllNodesScan", "DirectedRelationshipTypeScan",
                     "UndirectedRelationshipTypeScan")})
    return {"dbHits": sum(int(op.get("dbHits", 0) or 0) for op in operators),
            "rows": int(plan.get("rows", 0) or 0),
            "operators": {k: v for k, v in types.items() if k in WATCH},
            "indexes": seeks, "scans": scans,
            "plan": [f"{str(op.get('operatorType')).split('@')[0]}"
                     f"({int(op.get('rows', 0) or 0)} rows, {int(op.get('dbHits', 0) or 0)} hits)"
                     for op in operators]}


class ProfilingStore(Neo4jStore):
    """A Neo4jStore that PROFILEs every query it runs and keeps the profiles by query text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profiles: dict[str, list[dict[str, Any]]] = {}
        self.section = ""

    def _transaction(self, query: Cypher, params: dict[str, Any], write: bool,
                     timeout: float | None) -> list[Record]:
        def work(tx: Any) -> tuple[list[Record], Any]:
            result = tx.run(Cypher("PROFILE " + query), params)
            records = [record.data() for record in result]
            return records, result.consume()

        started = time.perf_counter()
        with self._driver.session(database=self._database) as session:
            run = session.execute_write if write else session.execute_read
            records, summary = run(work)
        elapsed = (time.perf_counter() - started) * 1000
        if summary.profile:
            entry = {"section": self.section, "ms": round(elapsed, 2),
                     "paramRows": max((len(v) for v in params.values() if isinstance(v, list)),
                                      default=0),
                     **_summary(summary.profile)}
            self.profiles.setdefault(str(query), []).append(entry)
        return records


STUDENT = """query($code: String!, $college: String) { student(code: $code, college: $college) {
  code standing { competencyCode required attained gap evidence { kind code at } }
  readiness { dimension ratio } placement { layerCode levelCode }
  gaps(target: {jobRole: "JOB-IT-01"}) { totalGap items { competencyCode gap } }
  levelGaps: gaps(target: {level: BK}) { totalGap }
  learningPath { totalCredits steps { course { code } } } evidence { code at passed } } }"""
COHORT = ("query($college: String, $program: String) { cohort(college: $college, program: "
          "$program) { students competencies { competencyCode share gapTotal } "
          "placement { layerCode levelCode students } readiness { dimension students } "
          "commonGaps(limit: 5) { competencyCode } } }")
STUDENTS = ("query($college: String) { students(college: $college, first: 50) { totalCount "
            "pageInfo { endCursor } nodes { code programCode } } }")
BROWSING = ("{ competencies(first: 50) { totalCount nodes { code prerequisites { code } "
            "requirements { code levelCode target { value } progressesTo { code } } "
            "taughtBy { course { code } } } } "
            "competency(code: \"GEN-28\") { prerequisites(transitive: true) { code } "
            "dependents(transitive: true) { code } measuredBy { assessment { code } } } }")


async def _scenarios(store: ProfilingStore, work: Path) -> None:
    from graph.programs import refresh_program_targets
    from schema import Context, Principal, Role, build_schema
    from service.importer import import_csv

    schema = build_schema()
    admin = Principal(Role.ADMIN, "profile")

    async def ask(section: str, query: str, variables: dict[str, Any] | None = None) -> None:
        store.section = section
        result = await schema.execute(query, variable_values=variables,
                                      context_value=Context(store, admin))
        if result.errors:
            raise RuntimeError(f"{section}: {result.errors}")

    await ask("framework browsing", BROWSING)
    await ask("student report", STUDENT, {"code": "S00001", "college": "COL-DEMO-GZ"})
    await ask("cohort (college)", COHORT, {"college": "COL-DEMO-GZ"})
    await ask("cohort (program)", COHORT, {"program": "P-AI-GZ"})
    await ask("cohort (all)", COHORT, {})
    await ask("student list (a page of 50)", STUDENTS, {"college": "COL-DEMO-GZ"})
    fresh = seed_students(500, 20, seed=99, prefix="P")
    passed = next(row for row in fresh.rows["results"] if row["score"] >= 60)
    correction = dict(passed, score=0)  # no longer passes: attainment is re-derived
    paths = write_csv(fresh, work / "csv")
    framework = fresh.framework
    for kind in ("students", "results", "completions", "certifications"):
        store.section = f"import {kind} (500 new students, batches of 5,000 rows)"
        await import_csv(store, kind, paths[kind], checkpoint_dir=work / "checkpoints",
                         framework=framework, progress=None)
    (work / "fix").mkdir()
    fix = work / "fix" / "results.csv"
    fix.write_text("college,student,assessment,score,takenAt\n" + ",".join(
        str(correction[k]) for k in ("college", "student", "assessment", "score", "takenAt"))
        + "\n", encoding="utf-8")
    store.section = "import a correction (1 result that no longer passes)"
    await import_csv(store, "results", fix, checkpoint_dir=work / "checkpoints",
                     framework=framework, progress=None)
    store.section = "refresh every program's targets (2,500 students)"
    await refresh_program_targets(store, framework=framework)


def _report(profiles: dict[str, list[dict[str, Any]]]) -> tuple[str, list[dict[str, Any]]]:
    names = {text: name for name, text in all_queries().items()}
    rows = []
    for text, calls in profiles.items():
        worst = max(calls, key=lambda c: c["dbHits"])
        rows.append({"name": names.get(text, "?" + text[:60]), "section": calls[0]["section"],
                     "calls": len(calls), "dbHits": worst["dbHits"], "rows": worst["rows"],
                     "paramRows": worst["paramRows"], "ms": worst["ms"],
                     "totalDbHits": sum(c["dbHits"] for c in calls),
                     "operators": worst["operators"], "indexes": worst["indexes"],
                     "scans": worst["scans"], "plan": worst["plan"]})
    lines = ["| query | where | calls | db hits (worst call) | rows | batch | ms (first call) | "
             "scans / cartesian / eager |", "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        flags = [f"{k}×{v}" for k, v in row["operators"].items()
                 if k in ("NodeByLabelScan", "AllNodesScan", "CartesianProduct", "Eager",
                          "EagerAggregation")]
        lines.append(f"| `{row['name']}` | {row['section']} | {row['calls']} | "
                     f"{row['dbHits']:,} | {row['rows']:,} | {row['paramRows'] or ''} | "
                     f"{row['ms']} | {', '.join(flags) or '–'} |")
    return "\n".join(lines), rows


async def _main(out: Path | None) -> int:
    store = ProfilingStore(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                           os.environ["NEO4J_PASSWORD"],
                           os.environ.get("NEO4J_DATABASE", "neo4j"))
    try:
        with tempfile.TemporaryDirectory(prefix="cg-profile-") as work:
            await _scenarios(store, Path(work))
    finally:
        await store.close()
    markdown, rows = _report(store.profiles)
    print(markdown)
    if out is not None:
        out.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer.profile", description=__doc__)
    parser.add_argument("--json", type=Path, help="also write every profile here")
    args = parser.parse_args(argv)
    if not os.environ.get("NEO4J_URI") or not os.environ.get("NEO4J_PASSWORD"):
        print("error: set NEO4J_URI and NEO4J_PASSWORD (a bench database: it writes)",
              file=sys.stderr)
        return 2
    return asyncio.run(_main(args.json))


if __name__ == "__main__":
    sys.exit(main())
