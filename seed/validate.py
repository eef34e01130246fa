"""Read the human-edited seed YAML, check it, and turn it into framework content.

Every problem is reported with its file, entry and line, and all of them at once: a
designer fixes the whole list in one pass, and nothing is written while any remain.

The entries and their checker are in ``seed.entries``; the kinds with most rules have their
own modules (``competencies``, ``offerings``, ``teaching``, ``evaluation``), each a function
of the ``_Builder`` below, which holds the shared field helpers and the framework-wide kinds.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from graph import rules as framework_rules
from graph.content import FrameworkContent
from graph.ids import element_uid, framework_uid
from seed import competencies, evaluation, offerings, teaching
from seed.entries import KINDS, SeedError, SeedInvalid, _Checker, _clean, _Entry, _read_files

__all__ = ["DEFAULT_SEED_DIR", "SeedError", "SeedInvalid", "parse_entries", "parse_seed"]

DEFAULT_SEED_DIR = Path(__file__).parent / "framework"


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
        competencies.build_competencies(self)
        offerings.build_courses(self)
        offerings.build_assessments(self)
        offerings.build_certifications(self)
        offerings.build_jobs(self)
        offerings.build_programs(self)
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


    def _teachers(self) -> None:
        for entry in self.files.get("teachers", []):
            props = self._versioned(entry)
            props["rank"] = self._int(entry, "rank", 1, 9)
            for competency in self._list(entry, "competencies", required=True):
                if self._known(entry, "competencies", competency, "competencies"):
                    self.rows["teacherTierCompetencies"].append(
                        {"source": props["uid"], "target": self._uid(competency)})
            self.rows["teacherTiers"].append({"uid": props["uid"], "props": props})


