"""A small, clearly fictional demo dataset: students and evidence at the seed's sample colleges.

``competency-graph demo`` (and ``make serve`` on an empty store) writes it so every README
example and every view of the web app answers with data. Everything is derived from the
reference framework's sample programs and one ``random.Random(DEMO_SEED)``: the same seed
gives the same rows on every machine, and the rows go through the product's own batch
functions (``graph.learners.record_*``), which are idempotent, so running it twice changes
nothing. The colleges are the seed's fictional 云帆 colleges; codes are pseudonyms
(S00001 …), and there are no names.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from graph.content import FrameworkContent
from graph.evidence import DEFAULT_CERTIFICATION_CAP
from graph.framework import FrameworkRepository
from graph.learners import (
    EvidenceCatalog,
    record_certifications,
    record_completions,
    record_results,
    record_students,
    record_totals,
)
from graph.store import GraphStore
from seed import DEFAULT_SEED_DIR, parse_seed
from service.config import Settings
from service.demo_draft import load_demo_draft
from service.store_factory import open_store

__all__ = ["DEMO_CLASSES", "DEMO_SEED", "DemoData", "DemoOutcome", "add_demo_command",
           "generate_demo", "load_demo", "run_demo_command"]

DEMO_SEED = 20250901
# The demo's "today": fixed, so the rows never depend on the day the demo is loaded.
REFERENCE_DATE = date(2025, 7, 1)


@dataclass(frozen=True, slots=True)
class DemoClass:
    college: str
    program: str
    label: str
    entry_year: int
    size: int
    strength: float  # how this class does on average, relative to the others


# Classes of the three sample colleges; the 高职 college is the one the README queries.
DEMO_CLASSES: tuple[DemoClass, ...] = (
    DemoClass("COL-DEMO-GZ", "P-AI-GZ", "AI-2301", 2023, 36, 0.04),
    DemoClass("COL-DEMO-GZ", "P-AI-GZ", "AI-2401", 2024, 38, 0.00),
    DemoClass("COL-DEMO-GZ", "P-AI-GZ", "AI-2402", 2024, 34, -0.08),
    DemoClass("COL-DEMO-GZ", "P-MFG-GZ", "MFG-2301", 2023, 32, -0.03),
    DemoClass("COL-DEMO-GZ", "P-MFG-GZ", "MFG-2401", 2024, 30, 0.05),
    DemoClass("COL-DEMO-GZ", "P-ECOM-GZ", "EC-2401", 2024, 32, -0.05),
    DemoClass("COL-DEMO-GZ", "P-NUR-GZ", "NUR-2301", 2023, 30, 0.02),
    DemoClass("COL-DEMO-GZ", "P-ACC-GZ", "ACC-2401", 2024, 28, -0.10),
    DemoClass("COL-DEMO-ZZ", "P-AI-ZZ", "ZAI-2301", 2023, 30, 0.03),
    DemoClass("COL-DEMO-ZZ", "P-MFG-ZZ", "ZMFG-2401", 2024, 26, -0.04),
    DemoClass("COL-DEMO-BK", "P-AI-BK", "BAI-2201", 2022, 28, 0.05),
    DemoClass("COL-DEMO-BK", "P-ECOM-BK", "BEC-2301", 2023, 24, -0.02),
)


@dataclass
class DemoData:
    """The rows, in the shape the batch functions (and the CSV importer) take."""

    framework: str
    students: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    certifications: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DemoOutcome:
    framework: str
    written: dict[str, int]  # rows given to each batch function
    totals: dict[str, int]  # what the store holds afterwards
    skipped: bool = False  # --if-empty and the store already had students
    draft: str | None = None  # the demo's draft revision of the framework


@dataclass
class _Program:
    code: str
    level: str
    college: str
    scope: set[str]  # uids of the competencies the program's students are judged on
    semesters: dict[str, int]  # course uid -> semester
    course_codes: dict[str, str]  # course uid -> code


def _semesters_done(entry_year: int) -> int:
    """Semesters finished by REFERENCE_DATE: autumn (Sep–Jan) and spring (Mar–Jun)."""
    done, year, autumn = 0, entry_year, True
    while True:
        end = date(year + 1, 1, 15) if autumn else date(year, 6, 30)
        if end > REFERENCE_DATE:
            return done
        done += 1
        year, autumn = (year + 1, False) if autumn else (year, True)


def _semester_end(entry_year: int, semester: int) -> date:
    """The exam week of a semester (1-based): mid January or late June."""
    if semester % 2:
        return date(entry_year + (semester + 1) // 2, 1, 12)
    return date(entry_year + semester // 2, 6, 22)


def _term(entry_year: int, semester: int) -> str:
    """学年-学期 label, e.g. 2024-2025-1."""
    start = entry_year + (semester - 1) // 2
    return f"{start}-{start + 1}-{2 - semester % 2}"


def _programs(content: FrameworkContent) -> dict[str, _Program]:
    rows = content.rows
    competencies = {r["uid"]: r for r in rows["competencies"]}
    major_of = {r["source"]: r["target"] for r in rows["competencyMajors"]}
    industry_of = {r["source"]: r["target"] for r in rows["competencyIndustries"]}
    major_industry = {r["uid"]: r["industry"] for r in rows["majors"]}
    levels_of: dict[str, set[str]] = defaultdict(set)
    for requirement in rows["requirements"]:
        levels_of[requirement["competencyUid"]].add(requirement["level"])
    courses = {r["uid"]: r["props"]["code"] for r in rows["courses"]}
    programs: dict[str, _Program] = {}
    for row in rows["programs"]:
        level, major = row["props"]["level"], row["majorUid"]
        scope = {uid for uid, c in competencies.items() if level in levels_of[uid] and (
            c["layer"] == "GEN" or major_of.get(uid) == major
            or industry_of.get(uid) == major_industry[major])}
        programs[row["uid"]] = _Program(row["props"]["code"], level, row["college"], scope,
                                        {}, {})
    for link in rows["programCourses"]:
        program = programs[link["source"]]
        program.semesters[link["target"]] = int(link["semester"])
        program.course_codes[link["target"]] = courses[link["target"]]
    return {p.code: p for p in programs.values()}


def generate_demo(content: FrameworkContent | None = None, seed: int = DEMO_SEED) -> DemoData:
    """The demo rows for ``content`` (default: the reference seed). Pure and deterministic."""
    content = content or parse_seed(DEFAULT_SEED_DIR)
    rows = content.rows
    rng = random.Random(seed)
    programs = _programs(content)
    eth = {r["source"] for r in rows["competencyStrands"] if r["target"] == "ETH"}
    layer = {r["uid"]: r["layer"] for r in rows["competencies"]}
    measures: dict[str, list[str]] = defaultdict(list)
    for link in rows["measures"]:
        measures[link["source"]].append(link["target"])
    assessments = [(r["uid"], r["props"]["code"], r["props"]["level"],
                    int(r["props"]["maxScore"])) for r in rows["assessments"]]
    evidences: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for link in rows["evidences"]:
        evidences[link["source"]].append((link["target"], int(link["proficiency"])))
    certifications = [(r["uid"], r["props"]["code"]) for r in rows["certifications"]]
    teaches: dict[str, set[str]] = defaultdict(set)
    for link in rows["teaches"]:
        teaches[link["source"]].add(link["target"])

    data = DemoData(framework=content.uid)
    numbers: dict[str, int] = defaultdict(int)
    for group in DEMO_CLASSES:
        program = programs[group.program]
        done = _semesters_done(group.entry_year)
        taught_in: dict[str, int] = {}  # competency uid -> first semester a course teaches it
        for course, semester in program.semesters.items():
            for competency in teaches[course]:
                taught_in[competency] = min(semester, taught_in.get(competency, 99))
        # An assessment of the program's level that measures its competencies is sat at the
        # end of the first semester that teaches one of them.
        # The previous level's assessments are the entry test (入学测评, semester 0).
        entry_level = {"GZ": "ZZ", "BK": "GZ"}.get(program.level)
        sat = []
        for uid, code, level, max_score in assessments:
            measured = [c for c in measures[uid] if c in program.scope]
            if level not in (program.level, entry_level) or not measured:
                continue
            semester = (0 if level == entry_level
                        else max(1, min(taught_in.get(c, done) for c in measured)))
            dimension = ("ETH" if all(c in eth for c in measured)
                         else max(("GEN", "PRO", "IND"),
                                  key=lambda d: sum(layer[c] == d for c in measured)))
            sat.append((code, semester, dimension, max_score))
        offered = [(code, links) for uid, code in certifications
                   if (links := [c for c, _ in evidences[uid] if c in program.scope])]
        for _ in range(group.size):
            numbers[group.college] += 1
            code = f"S{numbers[group.college]:05d}"
            data.students.append({"code": code, "college": group.college,
                                  "program": program.code, "classLabel": group.label,
                                  "enrolledOn": f"{group.entry_year}-09-01"})
            base = min(0.97, max(0.15, rng.betavariate(5, 3) + group.strength))
            if numbers[group.college] == 1:
                base = 0.66  # S00001, the README's student: some strengths, some gaps
            ability = {d: min(1.0, max(0.05, base + rng.gauss(0, 0.09)))
                       for d in ("GEN", "PRO", "IND", "ETH")}
            student = {"college": group.college, "student": code}
            for course, semester in sorted(program.semesters.items(), key=lambda i: i[1]):
                if semester <= done and rng.random() < 0.96:
                    grade = round(min(100.0, max(40.0, 52 + 40 * base + rng.gauss(0, 7))))
                    data.completions.append({**student,
                                             "course": program.course_codes[course],
                                             "term": _term(group.entry_year, semester),
                                             "grade": grade})
            for assessment, semester, dimension, max_score in sat:
                if semester > done or rng.random() < 0.08:  # not yet, or absent
                    continue
                taken = (date(group.entry_year, 9, 10) if semester == 0
                         else _semester_end(group.entry_year, semester))
                easier = 0.14 if semester == 0 else 0.02
                ratio = min(1.0, max(0.1, ability[dimension] + rng.gauss(easier, 0.14)))
                data.results.append({**student, "assessment": assessment,
                                     "score": round(ratio * max_score), "takenAt":
                                     taken.isoformat()})
                if ratio < 0.6 and rng.random() < 0.45:  # the resit, three weeks on
                    retry = min(1.0, ratio + abs(rng.gauss(0.12, 0.08)))
                    data.results.append({**student, "assessment": assessment,
                                         "score": round(retry * max_score), "takenAt":
                                         (taken + timedelta(weeks=3)).isoformat()})
            if done >= 2:
                for certification, _links in offered:
                    if rng.random() < 0.35 * base * base:
                        held = _semester_end(group.entry_year, rng.randint(2, done))
                        data.certifications.append({**student, "certification":
                                                    certification, "heldOn":
                                                    (held - timedelta(days=10)).isoformat()})
    return data


def _batches(rows: list[dict[str, Any]], size: int = 5000) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


async def load_demo(store: GraphStore, *, if_empty: bool = False, pass_ratio: float = 0.6,
                    content: FrameworkContent | None = None,
                    certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> DemoOutcome:
    """Write the demo dataset through the product's batch functions (idempotent).

    The reference framework must be loaded (``competency-graph load``): the students'
    programs, assessments and certifications are its sample ones.
    """
    content = content or parse_seed(DEFAULT_SEED_DIR)
    if await FrameworkRepository(store).framework(content.uid) is None:
        raise ValueError(f"framework {content.uid} is not loaded: run `competency-graph load` "
                         "first")
    before = await record_totals(store)
    if if_empty and before.get("students", 0) > 0:
        return DemoOutcome(content.uid, {}, before, skipped=True)
    data = generate_demo(content)
    catalog = EvidenceCatalog(store)
    written: dict[str, int] = {}
    for kind, rows in (("students", data.students), ("results", data.results),
                       ("completions", data.completions),
                       ("certifications", data.certifications)):
        for batch in _batches(rows):
            if kind == "students":
                outcome = await record_students(store, batch, content.uid, catalog=catalog)
            elif kind == "results":
                outcome = await record_results(store, batch, pass_ratio=pass_ratio,
                                               catalog=catalog,
                                               certification_cap=certification_cap)
            elif kind == "completions":
                outcome = await record_completions(store, batch, catalog=catalog)
            else:
                outcome = await record_certifications(store, batch, catalog=catalog,
                                                      certification_cap=certification_cap)
            if outcome.errors:  # a framework edit broke the demo's references
                first = outcome.errors[0]
                raise ValueError(f"demo {kind} row {first.index}: {first.code}: "
                                 f"{first.message}")
            written[kind] = written.get(kind, 0) + len(batch)
    draft = await load_demo_draft(store, content)
    return DemoOutcome(content.uid, written, await record_totals(store), draft=draft)


def add_demo_command(commands: Any) -> None:
    """``competency-graph demo``: the CLI's sub-command (registered by service.cli)."""
    demo = commands.add_parser("demo", help="load the fictional demo students and evidence "
                                            "(idempotent)")
    demo.add_argument("--data-dir", help="embedded store directory (env CG_DATA_DIR)")
    demo.add_argument("--backend", choices=["embedded", "neo4j"], help="env CG_BACKEND")
    demo.add_argument("--if-empty", action="store_true",
                      help="only when the store holds no students yet (what `make serve` does)")


async def run_demo_command(settings: Settings, args: argparse.Namespace) -> int:
    store = await open_store(settings)
    try:
        outcome = await load_demo(store, if_empty=args.if_empty,
                                  pass_ratio=settings.pass_ratio,
                                  certification_cap=settings.certification_cap)
    finally:
        await store.close()
    totals = ", ".join(f"{outcome.totals.get(k, 0)} {k}"
                       for k in ("students", "results", "completions", "certifications"))
    if outcome.skipped:
        print(f"demo data not loaded: the store already holds students ({totals})")
        return 0
    colleges = sorted({c.college for c in DEMO_CLASSES})
    print(f"demo data (fictional) of {outcome.framework} at {', '.join(colleges)}: the store "
          f"now holds {totals}")
    if outcome.draft:
        print(f"  and a draft revision {outcome.draft} (designers and admins see it)")
    print("  see them with a college token: competency-graph token --role college "
          "--college COL-DEMO-GZ")
    return 0
