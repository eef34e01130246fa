"""The seed's competencies 能力: per-level requirements (verbs, consolidations, rising
targets), prerequisites (no cycles) and cross-competency progressions."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from graph import rules as framework_rules
from graph.ids import requirement_uid
from seed import rules
from seed.entries import _clean, _clean_keys, _Entry

if TYPE_CHECKING:
    from seed.validate import _Builder

__all__ = ["build_competencies"]

COMPETENCY_KINDS = {"knowledge", "skill", "quality"}  # 知识 / 技能 / 素养


def build_competencies(b: _Builder) -> None:
    prerequisites: dict[str, list[str]] = {}
    for entry in b.files.get("competencies", []):
        props = b._versioned(entry)
        code = props["code"] or ""
        layer = entry.data.get("layer")
        b._known(entry, "layers", layer, "layer")
        props["layer"] = layer
        kind = entry.data.get("kind")
        if kind not in COMPETENCY_KINDS:
            b.check.error(entry, f"kind must be one of {sorted(COMPETENCY_KINDS)} "
                             "(知识/技能/素养)")
        props["kind"] = kind
        strands = [s for s in b._list(entry, "strands")
                   if b._known(entry, "strands", s, "strands")]
        props["strands"] = strands
        major, industry = entry.data.get("major"), entry.data.get("industry")
        b.check.refuse(entry, framework_rules.anchor_error(layer, major, industry))
        if major is not None and b._known(entry, "majors", major, "major"):
            props["major"] = major
            b.rows["competencyMajors"].append(
                {"source": props["uid"], "target": b._uid(major)})
        if industry is not None and b._known(entry, "industries", industry, "industry"):
            props["industry"] = industry
            b.rows["competencyIndustries"].append(
                {"source": props["uid"], "target": b._uid(industry)})
        for strand in strands:
            b.rows["competencyStrands"].append({"source": props["uid"], "target": strand})
        requirements = entry.data.get("requirements")
        if not isinstance(requirements, dict) or not _clean(requirements):
            b.check.error(entry, "a competency needs a requirement at one level at least")
            requirements = {}
        levels = []
        targets: list[tuple[str, int, str | None]] = []
        for level, spec in sorted(_clean_keys(requirements),
                                  key=lambda kv: b.level_rank.get(kv[0], 99)):
            if not b._known(entry, "levels", level, "requirements"):
                continue
            if not isinstance(spec, dict):
                b.check.error(entry, f"requirement at {level} must be a mapping")
                continue
            sub = _Entry(entry.kind, entry.file, entry.index, spec)
            proficiency = b._proficiency(entry, spec, level, what=f"requirement {level}")
            descriptor_zh = b._text(sub, "descriptorZh")
            descriptor_en = b._text(sub, "descriptorEn")
            line = int(spec.get("__line__", 0))
            consolidation = spec.get("consolidation")
            previous = targets[-1][1] if targets else None
            for problem in (
                rules.descriptor_verb_problem(descriptor_zh or "", proficiency)
                if proficiency else None,
                rules.consolidation_problem(consolidation, proficiency or 0, previous),
            ):
                if problem:
                    b.check.error(entry, f"requirement {level}: {problem}", line=line)
            if proficiency:
                targets.append((level, proficiency,
                                consolidation if isinstance(consolidation, str) else None))
            levels.append(level)
            uid = requirement_uid(b.fw, code, level)
            requirement = {"uid": uid, "fw": b.fw, "code": f"{code}@{level}",
                           "competency": code, "level": level, "layer": layer,
                           "rank": b.level_rank.get(level, 0),
                           "proficiency": proficiency, "descriptorZh": descriptor_zh,
                           "descriptorEn": descriptor_en,
                           "source": spec.get("source", props["source"])}
            if isinstance(consolidation, str):
                requirement["consolidation"] = consolidation.strip()
            b.rows["requirements"].append({
                "uid": uid, "competencyUid": props["uid"], "level": level,
                "props": requirement})
        for problem in rules.rising_target_problems(targets):
            b.check.error(entry, problem)
        props["levels"] = levels
        for earlier, later in itertools.pairwise(levels):
            b.rows["progressions"].append({
                "source": requirement_uid(b.fw, code, earlier),
                "target": requirement_uid(b.fw, code, later)})
        prerequisites[code] = []
        for required in b._list(entry, "requires"):
            if required == code:
                b.check.refuse(entry, framework_rules.self_requirement_error(code))
            elif b._known(entry, "competencies", required, "requires"):
                prerequisites[code].append(required)
                b.rows["prerequisites"].append(
                    {"source": props["uid"], "target": b._uid(required)})
        b.rows["competencies"].append(
            {"uid": props["uid"], "layer": layer, "props": props})
    _progressions_extra(b)
    b._refuse_cycles("competencies", prerequisites, "prerequisite cycle")


def _progressions_extra(b: _Builder) -> None:
    levels_of = {row["props"]["code"]: set(row["props"]["levels"])
                 for row in b.rows["competencies"]}
    for entry in b.files.get("competencies", []):
        for link in b._list(entry, "progressesTo"):
            if not isinstance(link, dict):
                b.check.error(entry, "progressesTo entries are {from, competency, level}")
                continue
            line = int(link.get("__line__", 0))
            source_level = str(link.get("from"))
            target, level = str(link.get("competency")), str(link.get("level"))
            if not b._known(entry, "competencies", target, "progressesTo", line):
                continue
            error = framework_rules.progression_error(
                entry.code, source_level, levels_of.get(entry.code, set()), target, level,
                levels_of.get(target, set()), b.level_rank)
            if b.check.refuse(entry, error, line=line):
                continue
            b.rows["progressions"].append({
                "source": requirement_uid(b.fw, entry.code, source_level),
                "target": requirement_uid(b.fw, target, level)})
