"""A deterministic "province slice": a synthetic framework in the seed YAML format, and
students with their evidence as import CSV files.

Everything comes from one ``random.Random(seed)``, so the same parameters give the same
bytes on every machine. The framework obeys every rule the seed validator enforces (levels'
proficiency ceilings, acyclic prerequisites, each program teaching all its requirements),
because it is loaded through ``seed.load_seed`` like a real one. Students are streamed to CSV
one at a time: memory does not grow with ``students × results_per_student``.
"""

from __future__ import annotations

import csv
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from graph.ids import LEVEL_ORDER, element_uid, framework_uid
from seed import DEFAULT_SEED_DIR

__all__ = ["FRAMEWORK_CODE", "FRAMEWORK_VERSION", "Scale", "Slice", "generate", "student_of"]

FRAMEWORK_CODE = "PROV"
FRAMEWORK_VERSION = "2025.1"
LEVEL_MAX = {"ZZ": 2, "GZ": 3, "BK": 4}
SOURCE = "design: synthetic benchmark data (bench/generate.py), not policy content"
# The levels a major is offered at, and how often (most majors run at two levels).
MAJOR_LEVELS = (("ZZ", "GZ"), ("GZ", "BK"), ("ZZ", "GZ", "BK"), ("GZ",), ("ZZ", "GZ"),
                ("GZ", "BK"))
CSV_COLUMNS = {
    "students": ("code", "college", "program", "classLabel", "enrolledOn"),
    "results": ("college", "student", "assessment", "score", "takenAt"),
    "completions": ("college", "student", "course", "term", "grade"),
    "certifications": ("college", "student", "certification", "heldOn"),
}


@dataclass(frozen=True, slots=True)
class Scale:
    """How big the slice is. The defaults are the province slice of issue 6."""

    students: int = 20_000
    results_per_student: int = 40
    seed: int = 20251
    colleges: int = 10
    industries: int = 9
    majors: int = 30
    gen_competencies: int = 60  # 15 of them in the ETH strand
    pro_per_major: int = 12
    ind_per_industry: int = 20
    assessments: int = 2_000
    certifications: int = 60
    jobs_per_industry: int = 10
    completions_per_student: int = 6
    certified_share: float = 0.25  # students holding one enterprise certification


@dataclass
class Slice:
    """What was generated: where it is, and how much of everything."""

    seed_dir: Path
    csv: dict[str, Path]
    rows: dict[str, int]
    framework: str
    colleges: list[str]
    deepest: str  # the competency with the longest prerequisite chain
    deepest_depth: int  # edges on that chain
    deepest_prerequisites: int  # its transitive prerequisites
    counts: dict[str, int] = field(default_factory=dict)


def student_of(index: int, colleges: int) -> tuple[str, str]:
    """(college, code) of the index-th generated student: colleges take turns."""
    return _college_code(index % colleges), f"S{index:07d}"


# The seed validator's content rules (seed/rules.py): a descriptor shows its proficiency's
# verb, and a target that does not rise is a consolidation that says why.
_VERB = {1: "了解", 2: "运用", 3: "设计", 4: "构建"}


def _requirements(code: str, levels: dict[str, int]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    previous: int | None = None
    for level, proficiency in levels.items():
        found[level] = {"proficiency": proficiency,
                        "descriptorZh": f"{code} 在 {level} 能{_VERB[proficiency]}",
                        "descriptorEn": f"{code} at {level}"}
        if previous is not None and proficiency <= previous:
            found[level]["consolidation"] = "design: synthetic benchmark data holds the target"
        previous = proficiency
    return found


def _college_code(index: int) -> str:
    return f"COL-{index + 1:02d}"


@dataclass
class _Competency:
    code: str
    layer: str
    tier: int
    major: str | None = None
    industry: str | None = None
    eth: bool = False
    requires: list[str] = field(default_factory=list)
    levels: dict[str, int] = field(default_factory=dict)  # level -> required proficiency


class _Framework:
    """The synthetic framework, built in memory (it is small) before it is written as YAML."""

    def __init__(self, scale: Scale, rng: random.Random) -> None:
        self.scale, self.rng = scale, rng
        self.industries = [f"IND{i + 1:02d}" for i in range(scale.industries)]
        self.majors: dict[str, tuple[str, tuple[str, ...]]] = {}  # code -> (industry, levels)
        for i in range(scale.majors):
            self.majors[f"M{i + 1:02d}"] = (self.industries[i % scale.industries],
                                            MAJOR_LEVELS[i % len(MAJOR_LEVELS)])
        self.competencies: dict[str, _Competency] = {}
        self.courses: list[dict[str, Any]] = []
        self.program_courses: dict[tuple[str, str], list[str]] = {}  # (group, level) -> codes
        self.assessments: list[dict[str, Any]] = []
        self.certifications: list[dict[str, Any]] = []
        self.programs: list[dict[str, Any]] = []

    # ---- competencies and the prerequisite DAG -------------------------------------------
    def build_competencies(self) -> None:
        """Tiers make depth predictable: each competency requires one of the tier below
        (so chains run GEN → PRO → IND, 14 tiers deep) and sometimes one more further down,
        which keeps the DAG sparse enough that path counts stay small."""
        s = self.scale
        gen_tiers = 6
        for i in range(s.gen_competencies):
            tier = i * gen_tiers // s.gen_competencies
            self._add(_Competency(f"G-{i + 1:03d}", "GEN", tier, eth=i % 4 == 3))
        for major in self.majors:
            for i in range(s.pro_per_major):
                self._add(_Competency(f"P-{major}-{i + 1:02d}", "PRO",
                                      gen_tiers + i * 4 // s.pro_per_major, major=major,
                                      eth=i == s.pro_per_major - 1))
        for industry in self.industries:
            for i in range(s.ind_per_industry):
                self._add(_Competency(f"I-{industry}-{i + 1:02d}", "IND",
                                      gen_tiers + 4 + i * 4 // s.ind_per_industry,
                                      industry=industry, eth=i == 0))
        for competency in self.competencies.values():
            self._prerequisites(competency)
            self._requirements(competency)

    def _add(self, competency: _Competency) -> None:
        self.competencies[competency.code] = competency

    def _candidates(self, competency: _Competency) -> list[_Competency]:
        """Where prerequisites may come from: GEN from GEN, PRO from GEN and its major,
        IND from GEN, its industry, and the PRO of majors serving that industry."""
        def fits(other: _Competency) -> bool:
            if other.tier >= competency.tier:
                return False
            if other.layer == "GEN":
                return True
            if competency.layer == "PRO":
                return other.major == competency.major
            if competency.layer == "IND":
                if other.layer == "IND":
                    return other.industry == competency.industry
                return other.major is not None and self.majors[other.major][0] == (
                    competency.industry)
            return False

        return [c for c in self.competencies.values() if fits(c)]

    def _prerequisites(self, competency: _Competency) -> None:
        if competency.tier == 0:
            return
        candidates = self._candidates(competency)
        below = [c for c in candidates if c.tier == competency.tier - 1]
        if not below:
            return
        first = self.rng.choice(below)
        competency.requires.append(first.code)
        if self.rng.random() < 0.25:
            second = self.rng.choice(candidates)
            if second.code != first.code:
                competency.requires.append(second.code)

    def _requirements(self, competency: _Competency) -> None:
        rng = self.rng
        if competency.layer == "GEN":
            levels: tuple[str, ...] = LEVEL_ORDER if rng.random() < 0.8 else ("GZ", "BK")
        elif competency.layer == "PRO":
            assert competency.major is not None
            levels = self.majors[competency.major][1]
        else:
            levels = LEVEL_ORDER if rng.random() < 0.4 else ("GZ", "BK")
        floor = 1
        for level in levels:
            proficiency = rng.randint(floor, LEVEL_MAX[level])
            competency.levels[level] = proficiency
            floor = proficiency

    def depth(self) -> dict[str, int]:
        """Edges on the longest prerequisite chain starting at each competency."""
        found: dict[str, int] = {}
        for code in sorted(self.competencies, key=lambda c: self.competencies[c].tier):
            requires = self.competencies[code].requires
            found[code] = 1 + max((found[r] for r in requires), default=-1)
        return found

    def transitive(self, code: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.competencies[code].requires)
        while stack:
            item = stack.pop()
            if item not in seen:
                seen.add(item)
                stack.extend(self.competencies[item].requires)
        return seen

    # ---- scope: what a program at a level of a major is asked for ----------------------
    def groups(self, major: str, level: str) -> list[tuple[str, str]]:
        """The (group, level) keys a program draws courses and assessments from."""
        return [("GEN", level), (major, level), (self.majors[major][0], level)]

    def group_competencies(self, group: str, level: str) -> list[_Competency]:
        def belongs(c: _Competency) -> bool:
            if group == "GEN":
                return c.layer == "GEN"
            return c.major == group or (c.layer == "IND" and c.industry == group)

        return [c for c in self.competencies.values() if belongs(c) and level in c.levels]

    # ---- courses ------------------------------------------------------------------------
    def build_courses(self) -> None:
        """Per level: 10 GEN courses; per major and level, 3 PRO courses; per industry and
        level, 3 IND courses. Together they teach every requirement at its proficiency."""
        keys: list[tuple[str, str, str, int]] = []  # group, layer, level, number of courses
        for level in LEVEL_ORDER:
            keys.append(("GEN", "GEN", level, 10))
        for major, (_, levels) in self.majors.items():
            keys += [(major, "PRO", level, 3) for level in levels]
        for industry in self.industries:
            keys += [(industry, "IND", level, 3) for level in LEVEL_ORDER]
        for group, layer, level, count in keys:
            taught = self.group_competencies(group, level)
            if not taught:
                continue
            taught.sort(key=lambda c: (c.tier, c.code))
            count = min(count, len(taught))
            codes: list[str] = []
            for number in range(count):
                code = f"C-{group}-{level}-{number + 1:02d}"
                part = taught[number::count]
                requires = []
                if number > 0 and self.rng.random() < 0.6:
                    requires.append(codes[-1])
                if layer != "GEN":
                    requires.append(f"C-GEN-{level}-{self.rng.randint(1, 3):02d}")
                course: dict[str, Any] = {
                    "code": code, "level": level, "layer": layer,
                    "kind": "required" if number < count - 1 or layer == "GEN" else "elective",
                    "credits": self.rng.choice([1, 2, 2, 3, 4]), "hours": 36,
                    "nameZh": f"课程 {code}", "nameEn": f"Course {code}",
                    "teaches": [{"competency": c.code, "proficiency": c.levels[level]}
                                for c in part],
                    "source": SOURCE,
                }
                if layer == "PRO":
                    course["major"] = group
                if layer == "IND":
                    course["industry"] = group
                if requires:
                    course["requires"] = requires
                self.courses.append(course)
                codes.append(code)
            self.program_courses[(group, level)] = codes

    # ---- assessments, certifications, jobs -------------------------------------------
    def build_assessments(self) -> None:
        """Each measures 1–3 competencies of one group at one level; groups get assessments
        in proportion to their size, so every program has a pool to draw results from."""
        rng = self.rng
        weighted: list[tuple[str, str, list[_Competency]]] = []
        for (group, level) in self.program_courses:
            members = self.group_competencies(group, level)
            weighted.append((group, level, members))
        sizes = [len(m) for _, _, m in weighted]
        for number in range(self.scale.assessments):
            group, level, members = rng.choices(weighted, weights=sizes)[0]
            measured = rng.sample(members, min(len(members), rng.randint(1, 3)))
            weights = _split_weights(len(measured))
            self.assessments.append({
                "code": f"A-{number + 1:05d}", "level": level,
                "kind": rng.choice(["written", "practical", "project", "portfolio"]),
                "maxScore": 100, "nameZh": f"测评 {number + 1}",
                "nameEn": f"Assessment {number + 1}",
                "measures": [{"competency": c.code, "proficiency": c.levels[level],
                              "weight": w} for c, w in zip(measured, weights, strict=True)],
                "source": SOURCE, "_group": (group, level),
            })

    def build_certifications(self) -> None:
        rng = self.rng
        specialised = [c for c in self.competencies.values() if c.layer != "GEN"]
        for number in range(self.scale.certifications):
            anchor = rng.choice(specialised)
            near = [c for c in specialised
                    if c.major == anchor.major and c.industry == anchor.industry]
            evidenced = rng.sample(near, min(len(near), rng.randint(2, 4)))
            self.certifications.append({
                "code": f"CERT-{number + 1:03d}", "issuerZh": "某培训评价组织",
                "issuerEn": "A training organisation", "nameZh": f"企业认证 {number + 1}",
                "nameEn": f"Certification {number + 1}",
                "evidences": [{"competency": c.code, "proficiency": rng.randint(1, 3)}
                              for c in evidenced],
                "source": SOURCE,
            })

    def jobs(self) -> list[dict[str, Any]]:
        rng, result = self.rng, []
        for industry in self.industries:
            majors = [m for m, (i, _) in self.majors.items() if i == industry]
            for number in range(self.scale.jobs_per_industry):
                level = rng.choice(LEVEL_ORDER)
                pool = [c for c in self.competencies.values() if level in c.levels and (
                    c.layer == "GEN" or c.industry == industry or c.major in majors)]
                needed = rng.sample(pool, min(len(pool), rng.randint(4, 8)))
                result.append({
                    "code": f"JOB-{industry}-{number + 1:02d}", "industry": industry,
                    "level": level, "nameZh": f"岗位 {industry}-{number + 1}",
                    "nameEn": f"Job {industry}-{number + 1}",
                    "needs": [{"competency": c.code, "proficiency": c.levels[level],
                               "essential": rng.random() < 0.5} for c in needed],
                    "source": SOURCE,
                })
        return result

    # ---- programs -----------------------------------------------------------------------
    def build_programs(self) -> None:
        """Every (major, level) is offered by one college, a third of them by a second one;
        a program includes all courses of its GEN, major and industry groups at its level."""
        colleges = self.scale.colleges
        offers = [(m, level) for m, (_, levels) in self.majors.items() for level in levels]
        for number, (major, level) in enumerate(offers):
            hosts = [number % colleges]
            if number % 3 == 0 and colleges > 1:
                hosts.append((number + colleges // 2) % colleges)
            for host in hosts:
                college = _college_code(host)
                courses = []
                for position, key in enumerate(self.groups(major, level)):
                    for index, code in enumerate(self.program_courses.get(key, [])):
                        courses.append({"course": code, "semester": 1 + position * 2 + index % 2,
                                        "required": True})
                self.programs.append({
                    "code": f"P-{college}-{major}-{level}", "college": college,
                    "major": major, "level": level,
                    "nameZh": f"{major} 专业人才培养方案（{level}）",
                    "nameEn": f"{major} programme ({level})",
                    "courses": courses, "source": SOURCE,
                })
        for index in range(colleges):  # a college without a program would get no students
            if not any(p["college"] == _college_code(index) for p in self.programs):
                raise ValueError(f"college {_college_code(index)} offers no program: "
                                 "use more majors or fewer colleges")

    # ---- YAML ---------------------------------------------------------------------------
    def write(self, seed_dir: Path) -> dict[str, int]:
        seed_dir.mkdir(parents=True, exist_ok=True)
        for name in ("levels.yaml", "layers.yaml", "strands.yaml"):
            shutil.copyfile(DEFAULT_SEED_DIR / name, seed_dir / name)
        _dump(seed_dir / "framework.yaml", {
            "code": FRAMEWORK_CODE, "version": FRAMEWORK_VERSION,
            "nameZh": "某省职业院校人工智能素养能力框架（基准测试合成数据）",
            "nameEn": "A province's AI literacy framework (synthetic benchmark data)",
            "source": SOURCE})
        _dump(seed_dir / "industries.yaml", [
            {"code": i, "nameZh": f"行业 {i}", "nameEn": f"Industry {i}", "source": SOURCE}
            for i in self.industries])
        _dump(seed_dir / "majors.yaml", [
            {"code": m, "nameZh": f"专业 {m}", "nameEn": f"Major {m}", "industry": industry,
             "levels": list(levels), "source": SOURCE}
            for m, (industry, levels) in self.majors.items()])
        competencies = []
        for c in self.competencies.values():
            entry: dict[str, Any] = {"code": c.code, "layer": c.layer,
                                     "kind": "quality" if c.eth else "skill",
                                     "nameZh": f"能力 {c.code}", "nameEn": f"Competency {c.code}"}
            if c.eth:
                entry["strands"] = ["ETH"]
            if c.major:
                entry["major"] = c.major
            if c.industry:
                entry["industry"] = c.industry
            if c.requires:
                entry["requires"] = c.requires
            entry["requirements"] = _requirements(c.code, c.levels)
            entry["source"] = SOURCE
            competencies.append(entry)
        _dump(seed_dir / "competencies.yaml", competencies)
        _dump(seed_dir / "courses.yaml", self.courses)
        _dump(seed_dir / "assessments.yaml",
              [{k: v for k, v in a.items() if not k.startswith("_")} for a in self.assessments])
        _dump(seed_dir / "certifications.yaml", self.certifications)
        jobs = self.jobs()
        _dump(seed_dir / "jobs.yaml", jobs)
        _dump(seed_dir / "colleges.yaml", [
            {"code": _college_code(i), "nameZh": f"示例职业院校 {i + 1}",
             "nameEn": f"Sample vocational college {i + 1}", "source": SOURCE}
            for i in range(self.scale.colleges)])
        _dump(seed_dir / "programs.yaml", self.programs)
        gen = [c.code for c in self.competencies.values() if c.layer == "GEN"]
        _dump(seed_dir / "teachers.yaml", [
            {"code": f"TT-{rank}", "rank": rank, "nameZh": f"教师层级 {rank}",
             "nameEn": f"Teacher tier {rank}", "competencies": gen[:rank * 10],
             "source": SOURCE} for rank in (1, 2, 3)])
        return {"competencies": len(competencies), "courses": len(self.courses),
                "assessments": len(self.assessments),
                "certifications": len(self.certifications), "jobRoles": len(jobs),
                "colleges": self.scale.colleges, "programs": len(self.programs),
                "majors": len(self.majors), "industries": len(self.industries),
                "prerequisites": sum(len(c.requires) for c in self.competencies.values())}


def _split_weights(n: int) -> list[float]:
    """Weights in (0, 1] summing to 1 with two decimals."""
    if n == 1:
        return [1.0]
    base = round(1.0 / n, 2)
    return [base] * (n - 1) + [round(1.0 - base * (n - 1), 2)]


# libyaml's emitter: the pure-Python one took 90 % of a generation's CPU (2.4 s at toy scale).
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                              width=120), encoding="utf-8")


def generate(out_dir: Path, scale: Scale = Scale()) -> Slice:
    """Write the seed under ``out_dir/seed`` and the CSV files under ``out_dir/csv``."""
    rng = random.Random(scale.seed)
    framework = _Framework(scale, rng)
    framework.build_competencies()
    framework.build_courses()
    framework.build_assessments()
    framework.build_certifications()
    framework.build_programs()
    seed_dir = out_dir / "seed"
    counts = framework.write(seed_dir)
    depth = framework.depth()
    deepest = max(sorted(depth), key=lambda code: depth[code])
    paths, rows = _write_students(out_dir / "csv", framework, scale, rng)
    return Slice(seed_dir=seed_dir, csv=paths, rows=rows,
                 framework=framework_uid(FRAMEWORK_CODE, FRAMEWORK_VERSION),
                 colleges=[_college_code(i) for i in range(scale.colleges)],
                 deepest=deepest, deepest_depth=depth[deepest],
                 deepest_prerequisites=len(framework.transitive(deepest)), counts=counts)


def _write_students(csv_dir: Path, framework: _Framework, scale: Scale,
                    rng: random.Random) -> tuple[dict[str, Path], dict[str, int]]:
    """One student at a time: its row, its results, completions and certification."""
    csv_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: csv_dir / f"{kind}.csv" for kind in CSV_COLUMNS}
    rows = dict.fromkeys(CSV_COLUMNS, 0)
    programs_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for program in framework.programs:
        programs_of[program["college"]].append(program)
    pool: dict[tuple[str, str], list[str]] = defaultdict(list)  # (group, level) -> assessments
    for item in framework.assessments:
        pool[item["_group"]].append(item["code"])
    certified_by: dict[str, list[str]] = defaultdict(list)  # competency -> certifications
    for certification in framework.certifications:
        for link in certification["evidences"]:
            certified_by[link["competency"]].append(certification["code"])
    choices_of: dict[str, list[str]] = {}  # program -> the assessments its students take
    certifications_of: dict[str, list[str]] = {}  # program -> certifications in its scope
    for program in framework.programs:
        keys = framework.groups(program["major"], program["level"])
        choices_of[program["code"]] = [a for key in keys for a in pool.get(key, [])]
        scope = [c.code for key in keys for c in framework.group_competencies(*key)]
        certifications_of[program["code"]] = sorted(
            {cert for c in scope for cert in certified_by.get(c, [])})
    start = date(2024, 9, 2)
    handles = {kind: path.open("w", newline="", encoding="utf-8")
               for kind, path in paths.items()}
    try:
        writers = {kind: csv.writer(handle) for kind, handle in handles.items()}
        for kind, columns in CSV_COLUMNS.items():
            writers[kind].writerow(columns)
        for index in range(scale.students):
            college, code = student_of(index, scale.colleges)
            program = rng.choice(programs_of[college])
            cohort_year = 2024 + index % 2
            writers["students"].writerow(
                (code, college, program["code"],
                 f"{program['code']}-{cohort_year}-{index // scale.colleges % 8 + 1}",
                 f"{cohort_year}-09-01"))
            rows["students"] += 1
            ability = rng.betavariate(5, 3)  # most students pass most assessments
            choices = choices_of[program["code"]]
            picked = rng.sample(choices, min(len(choices), scale.results_per_student))
            while len(picked) < scale.results_per_student:  # retakes, on other days
                picked.append(rng.choice(choices))
            days = rng.sample(range(max(600, scale.results_per_student)),
                              scale.results_per_student)
            for assessment, day in zip(picked, days, strict=True):
                score = max(0, min(100, round(100 * (ability + rng.gauss(0, 0.15)))))
                writers["results"].writerow(
                    (college, code, assessment, score,
                     (start + timedelta(days=day)).isoformat()))
            rows["results"] += len(picked)
            taught = [c["course"] for c in program["courses"]]
            for course in rng.sample(taught, min(len(taught), scale.completions_per_student)):
                writers["completions"].writerow(
                    (college, code, course, f"{cohort_year}-{cohort_year + 1}-1",
                     rng.randint(55, 100)))
                rows["completions"] += 1
            if rng.random() < scale.certified_share:
                options = certifications_of[program["code"]]
                if options:
                    writers["certifications"].writerow(
                        (college, code, rng.choice(options),
                         (start + timedelta(days=rng.randrange(600))).isoformat()))
                    rows["certifications"] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return paths, rows


def element(framework: str, code: str) -> str:
    """The uid of a generated element (re-exported for the runner)."""
    return element_uid(framework, code)
