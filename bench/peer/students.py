"""Students with evidence for the *reference seed* (not the synthetic slice of bench/generate.py).

The peer comparison runs on the seed framework, so its transitive-prerequisite chain and its
programs are the real ones; this writes students, results, completions and certifications that
fit them: each student takes the assessments of its program's level whose every measured
competency is in the program's scope, holds (sometimes) a certification evidencing one of its
scope's competencies and completes some of its program's courses. Everything comes from one
``random.Random(seed)``, so the same arguments give the same rows on every machine.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from seed import DEFAULT_SEED_DIR, parse_seed

__all__ = ["CSV_COLUMNS", "SeedStudents", "seed_students", "write_csv"]

CSV_COLUMNS = {
    "students": ("code", "college", "program", "classLabel", "enrolledOn"),
    "results": ("college", "student", "assessment", "score", "takenAt"),
    "completions": ("college", "student", "course", "term", "grade"),
    "certifications": ("college", "student", "certification", "heldOn"),
}


@dataclass
class SeedStudents:
    """Rows per kind, in the import CSV's (and the GraphQL inputs') field names."""

    framework: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class _Program:
    code: str
    college: str
    level: str
    assessments: list[str]
    certifications: list[str]
    courses: list[str]


def _code(uid: str) -> str:
    return uid.split("|", 1)[1]


def _programs(seed_dir: Path) -> tuple[str, list[_Program]]:
    content = parse_seed(seed_dir)
    rows = content.rows
    layer = {c["uid"]: c["layer"] for c in rows["competencies"]}
    major_of = {link["source"]: link["target"] for link in rows["competencyMajors"]}
    industry_of = {link["source"]: link["target"] for link in rows["competencyIndustries"]}
    major_industry = {m["uid"]: m["industry"] for m in rows["majors"]}
    measures: dict[str, set[str]] = defaultdict(set)
    for link in rows["measures"]:
        measures[link["source"]].add(link["target"])
    evidences: dict[str, set[str]] = defaultdict(set)
    for link in rows["evidences"]:
        evidences[link["source"]].add(link["target"])
    courses: dict[str, list[str]] = defaultdict(list)
    for link in rows["programCourses"]:
        courses[link["source"]].append(_code(link["target"]))
    programs = []
    for item in rows["programs"]:
        major = item["majorUid"]

        def in_scope(competency: str, major: str = major) -> bool:
            return (layer[competency] == "GEN"
                    or (layer[competency] == "PRO" and major_of.get(competency) == major)
                    or (layer[competency] == "IND"
                        and industry_of.get(competency) == major_industry[major]))

        level = item["props"]["level"]
        assessments = sorted(
            a["props"]["code"] for a in rows["assessments"]
            if a["props"]["level"] == level and measures[a["uid"]]
            and all(in_scope(c) for c in measures[a["uid"]]))
        certifications = sorted(
            _code(cert) for cert, targets in evidences.items()
            if any(in_scope(c) for c in targets))
        programs.append(_Program(item["props"]["code"], item["college"], level, assessments,
                                 certifications, courses[item["uid"]]))
    return content.uid, sorted(programs, key=lambda p: p.code)


def seed_students(count: int, results_per_student: int, *, seed: int = 2025,
                  seed_dir: Path = DEFAULT_SEED_DIR, certified_share: float = 0.25,
                  completions_per_student: int = 4, prefix: str = "S") -> SeedStudents:
    """``count`` students spread over the seed's programs, ``results_per_student`` results
    each (retakes, on other days, once the program's assessments are used up); codes are
    ``prefix`` + a 5-digit number."""
    rng = random.Random(seed)
    framework, programs = _programs(seed_dir)
    out = SeedStudents(framework, {kind: [] for kind in CSV_COLUMNS})
    start = date(2024, 9, 2)
    for index in range(count):
        program = programs[index % len(programs)]
        code = f"{prefix}{index:05d}"
        year = 2024 + index // len(programs) % 2
        out.rows["students"].append({
            "code": code, "college": program.college, "program": program.code,
            "classLabel": f"{program.code}-{year}-{index // (2 * len(programs)) % 4 + 1}",
            "enrolledOn": f"{year}-09-01"})
        ability = rng.betavariate(5, 3)  # most students pass most assessments
        picked = rng.sample(program.assessments,
                            min(len(program.assessments), results_per_student))
        while len(picked) < results_per_student:
            picked.append(rng.choice(program.assessments))
        days = rng.sample(range(max(600, results_per_student)), results_per_student)
        for assessment, day in zip(picked, days, strict=True):
            score = max(0, min(100, round(100 * (ability + rng.gauss(0, 0.15)))))
            out.rows["results"].append({
                "college": program.college, "student": code, "assessment": assessment,
                "score": score, "takenAt": (start + timedelta(days=day)).isoformat()})
        for course in rng.sample(program.courses,
                                 min(len(program.courses), completions_per_student)):
            out.rows["completions"].append({
                "college": program.college, "student": code, "course": course,
                "term": f"{year}-{year + 1}-1", "grade": rng.randint(55, 100)})
        if program.certifications and rng.random() < certified_share:
            out.rows["certifications"].append({
                "college": program.college, "student": code,
                "certification": rng.choice(program.certifications),
                "heldOn": (start + timedelta(days=rng.randrange(600))).isoformat()})
    return out


def write_csv(students: SeedStudents, csv_dir: Path) -> dict[str, Path]:
    """One import CSV per kind (``competency-graph import KIND FILE``)."""
    csv_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, columns in CSV_COLUMNS.items():
        paths[kind] = csv_dir / f"{kind}.csv"
        with paths[kind].open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(students.rows[kind])
    return paths
