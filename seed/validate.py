"""Read the human-edited seed YAML, check it, and turn it into framework content.

Every problem is reported with its file, entry and line, and all of them at once: a
designer fixes the whole list in one pass, and nothing is written while any remain.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph import rules as framework_rules
from graph.content import FrameworkContent
from graph.ids import element_uid, framework_uid, requirement_uid
from graph.rules import RuleError
from seed import evaluation, rules, teaching

__all__ = ["DEFAULT_SEED_DIR", "SeedError", "SeedInvalid", "parse_entries", "parse_seed"]

DEFAULT_SEED_DIR = Path(__file__).parent / "framework"
KINDS = (
    "framework", "levels", "layers", "strands", "industries", "majors", "competencies",
    "courses", "assessments", "certifications", "jobs", "colleges", "programs", "teachers",
    *teaching.TEACHING_KINDS,
    *evaluation.EVALUATION_KINDS,
)
COMPETENCY_KINDS = {"knowledge", "skill", "quality"}  # 知识 / 技能 / 素养


# A problem in the seed: the framework rules' one error shape (``graph.rules``), located by
# ``file``, ``entry`` (1-based position in the file's list; 0 for the file itself) and ``line``.
SeedError = RuleError


class SeedInvalid(ValueError):
    """The seed has errors; ``errors`` lists every one."""

    def __init__(self, errors: list[SeedError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the seed:\n" + "\n".join(map(str, errors)))
        self.errors = errors


# libyaml's parser where PyYAML was built with it: the seed reads ~5x faster (2.9 s → 0.6 s).
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """Keeps the line of every mapping so errors can point at it."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


@dataclass
class _Entry:
    kind: str
    file: str
    index: int
    data: dict[str, Any]

    @property
    def line(self) -> int:
        return int(self.data.get("__line__", 0))

    @property
    def code(self) -> str:
        return str(self.data.get("code", ""))


def _clean(value: Any) -> Any:
    """Drop the line markers before hashing or writing."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


class _Checker:
    def __init__(self) -> None:
        self.errors: list[SeedError] = []

    def error(self, entry: _Entry | None, message: str, *, file: str = "",
              line: int = 0, code: str = framework_rules.INVALID_VALUE) -> None:
        self.refuse(entry, RuleError(code, message), file=file, line=line)

    def refuse(self, entry: _Entry | None, error: RuleError | None, *, file: str = "",
               line: int = 0) -> bool:
        """Record a broken rule (``graph.rules``) at ``entry``; True if there was one."""
        if error is None:
            return False
        if entry is None:
            self.errors.append(error.at(file=file, entry=0, line=line))
        else:
            self.errors.append(error.at(file=entry.file, entry=entry.index,
                                        line=line or entry.line))
        return True


def _read_files(seed_dir: Path, check: _Checker) -> dict[str, list[_Entry]]:
    entries: dict[str, list[_Entry]] = defaultdict(list)
    if not seed_dir.is_dir():
        check.error(None, "seed directory does not exist", file=str(seed_dir))
        return entries
    for path in sorted(seed_dir.glob("*.yaml")):
        kind = path.stem.split("-", 1)[0]
        name = path.name
        if kind not in KINDS:
            check.error(None, f"unknown seed file kind {kind!r}; expected one of {KINDS}",
                        file=name)
            continue
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            check.error(None, f"not valid YAML: {exc}", file=name,
                        line=(mark.line + 1) if mark else 0)
            continue
        if kind == "framework":
            if not isinstance(data, dict):
                check.error(None, "framework.yaml must be a mapping", file=name)
                continue
            entries[kind].append(_Entry(kind, name, 1, data))
            continue
        if data is None:
            continue
        if not isinstance(data, list):
            check.error(None, "the file must be a YAML list of entries", file=name)
            continue
        for index, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                check.error(None, f"entry {index} is not a mapping", file=name)
                continue
            entries[kind].append(_Entry(kind, name, index, item))
    return entries


def parse_seed(seed_dir: Path = DEFAULT_SEED_DIR) -> FrameworkContent:
    """Validate the seed in ``seed_dir``; raise ``SeedInvalid`` listing every problem."""
    check = _Checker()
    files = _read_files(seed_dir, check)
    builder = _Builder(files, check)
    content = builder.build()
    if check.errors:
        raise SeedInvalid(check.errors)
    assert content is not None
    return content


def parse_entries(entries: Mapping[str, Sequence[tuple[str, int, dict[str, Any]]]],
                  ) -> FrameworkContent:
    """Validate seed entries that came from elsewhere (a workbook, a CASE package): kind →
    [(origin file, entry number, data)]; ``data`` may carry ``__line__`` marks for errors."""
    check = _Checker()
    files: dict[str, list[_Entry]] = defaultdict(list)
    for kind, items in entries.items():
        if kind not in KINDS:
            check.error(None, f"unknown seed kind {kind!r}; expected one of {KINDS}", file=kind)
            continue
        files[kind] = [_Entry(kind, origin, index, data) for origin, index, data in items]
    content = _Builder(files, check).build()
    if check.errors:
        raise SeedInvalid(check.errors)
    assert content is not None
    return content


class _Builder:
    """Validates entries kind by kind and accumulates the rows to write."""

    def __init__(self, files: dict[str, list[_Entry]], check: _Checker) -> None:
        self.files = files
        self.check = check
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.by_code: dict[str, dict[str, _Entry]] = defaultdict(dict)
        self.level_max: dict[str, int] = {}
        self.level_rank: dict[str, int] = {}
        self.fw = ""

    # ---- field helpers -------------------------------------------------------------------
    def _text(self, entry: _Entry, key: str, *, required: bool = True) -> str | None:
        value = entry.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.check.error(entry, f"missing {key}", code=framework_rules.MISSING_FIELD)
            return None
        if not isinstance(value, str | int | float):
            self.check.error(entry, f"{key} must be text")
            return None
        return str(value).strip()

    def _int(self, entry: _Entry, key: str, low: int, high: int,
             data: dict[str, Any] | None = None) -> int | None:
        source = entry.data if data is None else data
        value = source.get(key)
        line = int(source.get("__line__", 0)) if data is not None else 0
        error = framework_rules.number_error(value, key, low, high, whole=True)
        if self.check.refuse(entry, error, line=line):
            return None
        assert isinstance(value, int)
        return value

    def _common(self, entry: _Entry, *, coded: bool = True) -> dict[str, Any]:
        props: dict[str, Any] = {}
        if coded:
            code = self._text(entry, "code")
            if code is not None:
                self.check.refuse(entry, framework_rules.code_error(code))
            props["code"] = code
        for key in ("nameZh", "nameEn", "source"):
            props[key] = self._text(entry, key)
        for key in ("descriptionZh", "descriptionEn"):
            value = self._text(entry, key, required=False)
            if value is not None:
                props[key] = value
        return props

    def _register(self, kind: str, entries: Iterable[_Entry]) -> list[_Entry]:
        unique = []
        for entry in entries:
            code = entry.code
            if code and code in self.by_code[kind]:
                first = self.by_code[kind][code]
                self.check.error(entry, f"duplicate {kind} code {code!r} "
                                 f"(first at {first.file}:{first.line})",
                                 code=framework_rules.DUPLICATE_CODE)
                continue
            if code:
                self.by_code[kind][code] = entry
            unique.append(entry)
        return unique

    def _known(self, entry: _Entry, kind: str, code: Any, what: str, line: int = 0) -> bool:
        error = framework_rules.unknown_code_error(code, self.by_code[kind], kind, what)
        return not self.check.refuse(entry, error, line=line)

    def _list(self, entry: _Entry, key: str, *, required: bool = False) -> list[Any]:
        value = entry.data.get(key)
        if value is None:
            if required:
                self.check.error(entry, f"missing {key} (a list)")
            return []
        if not isinstance(value, list):
            self.check.error(entry, f"{key} must be a list")
            return []
        return value

    def _uid(self, code: str) -> str:
        return element_uid(self.fw, code)

    # ---- kinds ---------------------------------------------------------------------------
    def build(self) -> FrameworkContent | None:
        framework = self._framework()
        self._global_kinds()
        for kind in ("industries", "majors", "competencies", "courses", "assessments",
                     "certifications", "jobs", "programs", "teachers",
                     *teaching.TEACHING_KINDS,
                     *evaluation.EVALUATION_KINDS):
            self._register(kind, self.files.get(kind, []))
        self._industries()
        self._majors()
        self._competencies()
        self._courses()
        self._assessments()
        self._certifications()
        self._jobs()
        self._programs()
        self._teachers()
        teaching.build_teaching(self)
        evaluation.build_evaluation(self)
        if framework is None or self.check.errors:
            return None
        canonical = json.dumps(
            {kind: [_clean(e.data) for e in entries] for kind, entries in self.files.items()},
            sort_keys=True, ensure_ascii=False, default=str,
        )
        content_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        return FrameworkContent(uid=self.fw, props=framework, content_hash=content_hash,
                                rows=dict(self.rows))

    def _framework(self) -> dict[str, Any] | None:
        entries = self.files.get("framework", [])
        if len(entries) != 1:
            self.check.error(None, "exactly one framework.yaml is needed", file="framework.yaml")
            return None
        entry = entries[0]
        props = self._common(entry)
        version = self._text(entry, "version")
        status = entry.data.get("status", "published")
        if status not in {"draft", "published"}:
            self.check.error(entry, f"status must be draft or published, not {status!r}")
        if props["code"] is None or version is None:
            return None
        self.fw = framework_uid(props["code"], version)
        props.update({"uid": self.fw, "version": version, "status": status})
        return props

    def _global_kinds(self) -> None:
        for kind, row_key in (("levels", "levels"), ("layers", "layers"),
                              ("strands", "strands"), ("colleges", "colleges")):
            for entry in self._register(kind, self.files.get(kind, [])):
                props = self._common(entry)
                if kind == "levels":
                    rank = self._int(entry, "rank", 1, 9)
                    top = self._int(entry, "maxProficiency", 1, 4)
                    if rank is not None and top is not None and props["code"]:
                        self.level_rank[props["code"]] = rank
                        self.level_max[props["code"]] = top
                    props.update({"rank": rank, "maxProficiency": top})
                if kind == "layers":
                    props["order"] = self._int(entry, "order", 1, 9)
                self.rows[row_key].append({"code": props["code"], "props": props})
        for kind in ("levels", "layers", "strands"):
            if not self.by_code[kind]:
                self.check.error(None, f"no {kind} defined", file=f"{kind}.yaml")

    def _versioned(self, entry: _Entry) -> dict[str, Any]:
        props = self._common(entry)
        props["fw"] = self.fw
        props["uid"] = self._uid(props["code"] or "")
        return props

    def _industries(self) -> None:
        for entry in self.files.get("industries", []):
            props = self._versioned(entry)
            self.rows["industries"].append({"uid": props["uid"], "props": props})

    def _levels_list(self, entry: _Entry, key: str) -> list[str]:
        levels = []
        for level in self._list(entry, key, required=True):
            if self._known(entry, "levels", level, key):
                levels.append(level)
        return levels

    def _majors(self) -> None:
        for entry in self.files.get("majors", []):
            props = self._versioned(entry)
            industry = entry.data.get("industry")
            self._known(entry, "industries", industry, "industry")
            props["industry"] = industry
            props["levels"] = self._levels_list(entry, "levels")
            catalog = entry.data.get("catalogCodes") or {}
            if not isinstance(catalog, dict):
                self.check.error(entry, "catalogCodes must map level codes to catalogue codes")
                catalog = {}
            catalog = _clean(catalog)
            for level in catalog:
                if level not in props["levels"]:
                    self.check.error(entry, f"catalogCodes names level {level!r} the major lacks")
            # catalogCodes = the codes given here and the verified codes of the offerings
            evaluation.major_facts(self, entry, props,
                                   [f"{lv}:{code}" for lv, code in catalog.items()])
            self.rows["majors"].append({"uid": props["uid"], "industry": self._uid(industry or ""),
                                        "props": props})

    def _proficiency(self, entry: _Entry, spec: dict[str, Any], level: str | None,
                     *, what: str) -> int | None:
        value = spec.get("proficiency")
        design = (framework_rules.is_design(spec.get("source"))
                  or framework_rules.is_design(entry.data.get("source")))
        error = framework_rules.proficiency_error(value, level, self.level_max, design=design)
        if error is not None and error.code == framework_rules.PROFICIENCY_ABOVE_LEVEL_MAX:
            error = error.about(what)  # which link or requirement, as the entry has several
        self.check.refuse(entry, error, line=int(spec.get("__line__", 0)))
        if error is not None and error.code == framework_rules.PROFICIENCY_OUT_OF_RANGE:
            return None
        assert isinstance(value, int)
        return value

    def _competencies(self) -> None:
        prerequisites: dict[str, list[str]] = {}
        for entry in self.files.get("competencies", []):
            props = self._versioned(entry)
            code = props["code"] or ""
            layer = entry.data.get("layer")
            self._known(entry, "layers", layer, "layer")
            props["layer"] = layer
            kind = entry.data.get("kind")
            if kind not in COMPETENCY_KINDS:
                self.check.error(entry, f"kind must be one of {sorted(COMPETENCY_KINDS)} "
                                 "(知识/技能/素养)")
            props["kind"] = kind
            strands = [s for s in self._list(entry, "strands")
                       if self._known(entry, "strands", s, "strands")]
            props["strands"] = strands
            major, industry = entry.data.get("major"), entry.data.get("industry")
            if layer == "PRO" and major is None:
                self.check.error(entry, "a PRO (专业技能) competency needs its major")
            if layer == "IND" and industry is None:
                self.check.error(entry, "an IND (行业能力) competency needs its industry")
            if major is not None and self._known(entry, "majors", major, "major"):
                props["major"] = major
                self.rows["competencyMajors"].append(
                    {"source": props["uid"], "target": self._uid(major)})
            if industry is not None and self._known(entry, "industries", industry, "industry"):
                props["industry"] = industry
                self.rows["competencyIndustries"].append(
                    {"source": props["uid"], "target": self._uid(industry)})
            for strand in strands:
                self.rows["competencyStrands"].append({"source": props["uid"], "target": strand})
            requirements = entry.data.get("requirements")
            if not isinstance(requirements, dict) or not _clean(requirements):
                self.check.error(entry, "a competency needs a requirement at one level at least")
                requirements = {}
            levels = []
            targets: list[tuple[str, int, str | None]] = []
            for level, spec in sorted(_clean_keys(requirements),
                                      key=lambda kv: self.level_rank.get(kv[0], 99)):
                if not self._known(entry, "levels", level, "requirements"):
                    continue
                if not isinstance(spec, dict):
                    self.check.error(entry, f"requirement at {level} must be a mapping")
                    continue
                sub = _Entry(entry.kind, entry.file, entry.index, spec)
                proficiency = self._proficiency(entry, spec, level, what=f"requirement {level}")
                descriptor_zh = self._text(sub, "descriptorZh")
                descriptor_en = self._text(sub, "descriptorEn")
                line = int(spec.get("__line__", 0))
                consolidation = spec.get("consolidation")
                previous = targets[-1][1] if targets else None
                for problem in (
                    rules.descriptor_verb_problem(descriptor_zh or "", proficiency)
                    if proficiency else None,
                    rules.consolidation_problem(consolidation, proficiency or 0, previous),
                ):
                    if problem:
                        self.check.error(entry, f"requirement {level}: {problem}", line=line)
                if proficiency:
                    targets.append((level, proficiency,
                                    consolidation if isinstance(consolidation, str) else None))
                levels.append(level)
                uid = requirement_uid(self.fw, code, level)
                requirement = {"uid": uid, "fw": self.fw, "code": f"{code}@{level}",
                               "competency": code, "level": level, "layer": layer,
                               "rank": self.level_rank.get(level, 0),
                               "proficiency": proficiency, "descriptorZh": descriptor_zh,
                               "descriptorEn": descriptor_en,
                               "source": spec.get("source", props["source"])}
                if isinstance(consolidation, str):
                    requirement["consolidation"] = consolidation.strip()
                self.rows["requirements"].append({
                    "uid": uid, "competencyUid": props["uid"], "level": level,
                    "props": requirement})
            for problem in rules.rising_target_problems(targets):
                self.check.error(entry, problem)
            props["levels"] = levels
            for earlier, later in itertools.pairwise(levels):
                self.rows["progressions"].append({
                    "source": requirement_uid(self.fw, code, earlier),
                    "target": requirement_uid(self.fw, code, later)})
            prerequisites[code] = []
            for required in self._list(entry, "requires"):
                if required == code:
                    self.check.refuse(entry, framework_rules.self_requirement_error(code))
                elif self._known(entry, "competencies", required, "requires"):
                    prerequisites[code].append(required)
                    self.rows["prerequisites"].append(
                        {"source": props["uid"], "target": self._uid(required)})
            self.rows["competencies"].append(
                {"uid": props["uid"], "layer": layer, "props": props})
        self._progressions_extra()
        self._refuse_cycles("competencies", prerequisites, "prerequisite cycle")

    def _progressions_extra(self) -> None:
        levels_of = {row["props"]["code"]: set(row["props"]["levels"])
                     for row in self.rows["competencies"]}
        for entry in self.files.get("competencies", []):
            for link in self._list(entry, "progressesTo"):
                if not isinstance(link, dict):
                    self.check.error(entry, "progressesTo entries are {from, competency, level}")
                    continue
                line = int(link.get("__line__", 0))
                source_level = str(link.get("from"))
                target, level = str(link.get("competency")), str(link.get("level"))
                if not self._known(entry, "competencies", target, "progressesTo", line):
                    continue
                if source_level not in levels_of.get(entry.code, set()):
                    self.check.error(entry, f"progressesTo.from {source_level!r}: the competency "
                                     "has no requirement at that level", line=line)
                    continue
                if level not in levels_of.get(target, set()):
                    self.check.error(entry, f"progressesTo: {target} has no requirement at "
                                     f"{level!r}", line=line)
                    continue
                if self.level_rank.get(level, 0) <= self.level_rank.get(source_level, 0):
                    self.check.error(entry, "progressesTo must lead to a higher level", line=line)
                    continue
                self.rows["progressions"].append({
                    "source": requirement_uid(self.fw, entry.code, source_level),
                    "target": requirement_uid(self.fw, target, level)})

    def _refuse_cycles(self, kind: str, graph: dict[str, list[str]], what: str) -> None:
        order = {code: position for position, code in enumerate(self.by_code[kind])}
        found = framework_rules.cycle_error(graph, what, order)
        if found is not None:
            start, error = found
            self.check.refuse(self.by_code[kind][start], error)

    def _links(self, entry: _Entry, key: str, row_key: str, uid: str, level: str | None,
               extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> list[str]:
        codes = []
        for spec in self._list(entry, key, required=True):
            if not isinstance(spec, dict):
                self.check.error(entry, f"{key} entries are mappings with a competency")
                continue
            line = int(spec.get("__line__", 0))
            competency = str(spec.get("competency"))
            if not self._known(entry, "competencies", competency, key, line):
                continue
            proficiency = self._proficiency(entry, spec, level, what=f"{key} {competency}")
            row = {"source": uid, "target": self._uid(competency), "proficiency": proficiency}
            if extra:
                row.update(extra(spec))
            self.rows[row_key].append(row)
            codes.append(competency)
        return codes

    def _level_field(self, entry: _Entry, props: dict[str, Any]) -> str | None:
        level = entry.data.get("level")
        if self._known(entry, "levels", level, "level"):
            props["level"] = level
            return str(level)
        return None

    def _courses(self) -> None:
        prerequisites: dict[str, list[str]] = {}
        for entry in self.files.get("courses", []):
            props = self._versioned(entry)
            level = self._level_field(entry, props)
            layer = entry.data.get("layer")
            if self._known(entry, "layers", layer, "layer"):
                props["layer"] = layer
            kind = entry.data.get("kind")
            self.check.refuse(entry, framework_rules.one_of_error(kind, "kind",
                                                                 framework_rules.COURSE_KINDS))
            props["kind"] = kind
            for key, target in (("major", "majors"), ("industry", "industries")):
                if entry.data.get(key) is not None and self._known(
                        entry, target, entry.data[key], key):
                    props[key] = entry.data[key]
            credits = entry.data.get("credits")
            self.check.refuse(entry, framework_rules.number_error(credits, "credits", 0, 30,
                                                                 open_low=True))
            props["credits"] = float(credits) if isinstance(credits, int | float) else None
            props["hours"] = self._int(entry, "hours", 1, 2000)
            self._links(entry, "teaches", "teaches", props["uid"], level)
            prerequisites[entry.code] = []
            for required in self._list(entry, "requires"):
                if required == entry.code:
                    self.check.refuse(entry, framework_rules.self_requirement_error(entry.code))
                elif self._known(entry, "courses", required, "requires"):
                    prerequisites[entry.code].append(required)
                    self.rows["coursePrerequisites"].append(
                        {"source": props["uid"], "target": self._uid(required)})
            self.rows["courses"].append({"uid": props["uid"], "props": props})
        self._refuse_cycles("courses", prerequisites, "course prerequisite cycle")

    def _assessments(self) -> None:
        for entry in self.files.get("assessments", []):
            props = self._versioned(entry)
            level = self._level_field(entry, props)
            kind = entry.data.get("kind")
            self.check.refuse(entry, framework_rules.one_of_error(
                kind, "kind", framework_rules.ASSESSMENT_KINDS))
            props["kind"] = kind
            props["maxScore"] = self._int(entry, "maxScore", 1, 100000)

            def weight(spec: dict[str, Any], entry: _Entry = entry) -> dict[str, Any]:
                value = spec.get("weight")
                if self.check.refuse(entry, framework_rules.number_error(
                        value, "weight", 0, 1, open_low=True), line=int(spec.get("__line__", 0))):
                    value = None
                return {"weight": value}

            self._links(entry, "measures", "measures", props["uid"], level, weight)
            self.rows["assessments"].append({"uid": props["uid"], "props": props})

    def _certifications(self) -> None:
        for entry in self.files.get("certifications", []):
            props = self._versioned(entry)
            for key in ("issuerZh", "issuerEn"):
                props[key] = self._text(entry, key, required=False)
            evaluation.certification_facts(self, entry, props)
            self._links(entry, "evidences", "evidences", props["uid"], None)
            self.rows["certifications"].append({"uid": props["uid"], "props": props})

    def _jobs(self) -> None:
        for entry in self.files.get("jobs", []):
            props = self._versioned(entry)
            level = self._level_field(entry, props)
            if self._known(entry, "industries", entry.data.get("industry"), "industry"):
                props["industry"] = entry.data["industry"]
            evaluation.job_facts(self, entry, props)

            def essential(spec: dict[str, Any], entry: _Entry = entry) -> dict[str, Any]:
                value = spec.get("essential", False)
                if not isinstance(value, bool):
                    self.check.error(entry, "essential must be true or false",
                                     line=int(spec.get("__line__", 0)))
                return {"essential": bool(value)}

            self._links(entry, "needs", "needs", props["uid"], level, essential)
            self.rows["jobRoles"].append({"uid": props["uid"], "props": props})

    def _program_requirements(self, major: str, level: str) -> dict[str, int]:
        """What a program must reach by default: its level's GEN, major's PRO, industry's IND."""
        major_entry = self.by_code["majors"].get(major)
        industry = major_entry.data.get("industry") if major_entry else None
        required: dict[str, int] = {}
        competencies = {row["props"]["code"]: row["props"] for row in self.rows["competencies"]}
        for row in self.rows["requirements"]:
            props = row["props"]
            if props["level"] != level:
                continue
            competency = competencies.get(props["competency"])
            if competency is None:
                continue
            layer = competency.get("layer")
            if (layer == "GEN" or (layer == "PRO" and competency.get("major") == major)
                    or (layer == "IND" and competency.get("industry") == industry)):
                required[props["competency"]] = props["proficiency"]
        return required

    def _programs(self) -> None:
        teaches: dict[str, set[str]] = defaultdict(set)
        for row in self.rows["teaches"]:
            teaches[row["source"]].add(row["target"].split("|", 1)[1])
        for entry in self.files.get("programs", []):
            props = self._versioned(entry)
            level = self._level_field(entry, props)
            major = str(entry.data.get("major"))
            college = entry.data.get("college")
            self._known(entry, "colleges", college, "college")
            props["college"] = college
            if self._known(entry, "majors", major, "major"):
                props["major"] = major
                major_levels = self.by_code["majors"][major].data.get("levels") or []
                if level and level not in major_levels:
                    self.check.error(entry, f"major {major} does not exist at level {level}")
            taught: set[str] = set()
            for spec in self._list(entry, "courses", required=True):
                if not isinstance(spec, dict):
                    self.check.error(entry, "courses entries are {course, semester, required}")
                    continue
                line = int(spec.get("__line__", 0))
                course = str(spec.get("course"))
                if not self._known(entry, "courses", course, "courses", line):
                    continue
                semester = self._int(entry, "semester", 1, 12, data=spec)
                required = spec.get("required", True)
                if not isinstance(required, bool):
                    self.check.error(entry, "required must be true or false", line=line)
                taught |= teaches.get(self._uid(course), set())
                self.rows["programCourses"].append({
                    "source": props["uid"], "target": self._uid(course),
                    "semester": semester, "required": bool(required)})
            self._links_optional_overrides(entry, props["uid"], level)
            if major in self.by_code["majors"] and level:
                for competency in sorted(self._program_requirements(major, level)):
                    if competency not in taught:
                        self.check.error(entry, f"program requirement {competency} is taught by "
                                         "no course in the program")
            self.rows["programs"].append({"uid": props["uid"], "majorUid": self._uid(major or ""),
                                          "college": college, "props": props})

    def _links_optional_overrides(self, entry: _Entry, uid: str, level: str | None) -> None:
        if entry.data.get("overrides"):
            self._links(entry, "overrides", "programOverrides", uid, level)

    def _teachers(self) -> None:
        for entry in self.files.get("teachers", []):
            props = self._versioned(entry)
            props["rank"] = self._int(entry, "rank", 1, 9)
            for competency in self._list(entry, "competencies", required=True):
                if self._known(entry, "competencies", competency, "competencies"):
                    self.rows["teacherTierCompetencies"].append(
                        {"source": props["uid"], "target": self._uid(competency)})
            self.rows["teacherTiers"].append({"uid": props["uid"], "props": props})


def _clean_keys(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in mapping.items() if k != "__line__"]
