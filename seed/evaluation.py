"""Validating the evaluation side of the seed: the indicator system, sample items, crosswalks,
and the verifiable facts on majors, jobs and certifications.

- ``dimensions`` 评价维度: the four of 004 指引 二(二) (通识素养, 专业技能, 行业能力,
  伦理安全意识), each anchored on a layer or on the ETH strand, with a weight.
- ``indicators`` 评价指标: per dimension, weighted, linked to competencies, each with observable
  behaviours per level (proficiency, evidence type, weight within the level).
- ``items``: sample items or tasks of an assessment, with a scoring rule.
- ``externals`` / ``crosswalks``: international frameworks' competencies (UNESCO AI CFS and AI
  CFT, 2024) and typed links to them (exactMatch / partialMatch / related, with a reason).

The functions take the seed builder of ``seed.validate`` and use its helpers, so errors keep
the one format ``file:line (entry N): reason``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from graph import rules as framework_rules
from seed import rules

if TYPE_CHECKING:
    from seed.validate import _Builder, _Entry

__all__ = [
    "CERTIFICATION_KINDS", "EVALUATION_KINDS", "EVIDENCE_TYPES", "ITEM_KINDS", "JOB_TITLE_KINDS",
    "MATCH_KINDS", "SCHEMES", "build_evaluation", "certification_facts", "job_facts",
    "major_facts",
]

EVALUATION_KINDS = ("dimensions", "indicators", "items", "externals", "crosswalks")
EVIDENCE_TYPES = {"written", "practical", "project", "portfolio", "certification", "observation"}
ITEM_KINDS = {"choice", "short-answer", "task", "case", "project"}
MATCH_KINDS = {"exactMatch", "partialMatch", "related"}  # SKOS mapping relations
SCHEMES = {"UNESCO-AI-CFS-2024": "students", "UNESCO-AI-CFT-2024": "teachers"}
JOB_TITLE_KINDS = {"occupation", "workType", "market"}  # 职业 / 工种 / 市场岗位名
CERTIFICATION_KINDS = {"x-certificate", "skill-level", "vendor", "industry", "licence"}
OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
SAMPLE_ITEMS_PER_CELL = 2  # per GEN competency and level, so a college sees the level in practice
_WEIGHT_SLACK = 0.001


def _line(spec: dict[str, Any]) -> int:
    return int(spec.get("__line__", 0))


def _weight(b: _Builder, entry: _Entry, spec: dict[str, Any], what: str) -> float | None:
    value = spec.get("weight")
    error = framework_rules.number_error(value, "weight", 0, 1, open_low=True)
    if b.check.refuse(entry, error and error.about(what), line=_line(spec)):
        return None
    assert isinstance(value, int | float)
    return float(value)


def _flag(b: _Builder, entry: _Entry, key: str) -> bool:
    value = entry.data.get(key, False)
    if not isinstance(value, bool):
        b.check.error(entry, f"{key} must be true or false")
        return False
    return value


# ---- facts on existing kinds ---------------------------------------------------------------
def major_facts(b: _Builder, entry: _Entry, props: dict[str, Any],
                given_codes: list[str]) -> None:
    """专业大类 and one offering per level: its name at that level and catalogue code."""
    # Optional, so a college's or a synthetic seed may leave them out; the content report
    # then lists the major as having no verified catalogue facts.
    for key in ("categoryZh", "categoryEn"):
        props[key] = b._text(entry, key, required=False)
    seen: list[str] = []
    verified_codes: list[str] = []
    offerings = b._list(entry, "offerings")
    for spec in offerings:
        if not isinstance(spec, dict):
            b.check.error(entry, "offerings entries are {level, nameZh, nameEn, catalogCode, "
                                 "verified, catalogSource}")
            continue
        level = spec.get("level")
        if level not in props.get("levels", []):
            b.check.error(entry, f"offering level {level!r} is not one of the major's levels",
                          line=_line(spec))
            continue
        if level in seen:
            b.check.error(entry, f"two offerings at {level}", line=_line(spec))
            continue
        seen.append(str(level))
        for key in ("nameZh", "nameEn"):
            if not isinstance(spec.get(key), str) or not spec[key].strip():
                b.check.error(entry, f"offering {level}: missing {key}", line=_line(spec))
        code = spec.get("catalogCode")
        verified = spec.get("verified", False)
        if code is not None and not re.fullmatch(r"\d{6}[A-Z]?", str(code)):
            b.check.error(entry, f"offering {level}: catalogCode {code!r} is not a 6-digit "
                                 "专业目录 code", line=_line(spec))
        if not isinstance(verified, bool):
            b.check.error(entry, f"offering {level}: verified must be true or false",
                          line=_line(spec))
        elif verified and (code is None or not str(spec.get("catalogSource") or "").strip()):
            b.check.error(entry, f"offering {level}: a verified code needs catalogCode and "
                                 "catalogSource (where it was checked)", line=_line(spec))
        elif verified:
            verified_codes.append(f"{level}:{code}")
        uid = b._uid(f"{props['code']}@{level}")
        b.rows["majorOfferings"].append({"uid": uid, "majorUid": props["uid"], "props": {
            "uid": uid, "fw": b.fw, "code": f"{props['code']}@{level}", "major": props["code"],
            "level": level, "nameZh": spec.get("nameZh"), "nameEn": spec.get("nameEn"),
            "catalogCode": None if code is None else str(code), "verified": verified is True,
            "catalogSource": spec.get("catalogSource"), "rank": b.level_rank.get(str(level), 0),
            "categoryZh": props["categoryZh"], "categoryEn": props["categoryEn"]}})
    missing = [lv for lv in props.get("levels", []) if lv not in seen]
    if offerings and missing:
        b.check.error(entry, f"offerings missing for level(s) {', '.join(missing)}")
    props["catalogCodes"] = sorted(set(verified_codes) | set(given_codes))


def job_facts(b: _Builder, entry: _Entry, props: dict[str, Any]) -> None:
    """A job is a 国家职业分类大典 occupation, a 工种 under one, or a market title."""
    kind = entry.data.get("classification")  # optional; absent reads as a market title
    if kind is not None and kind not in JOB_TITLE_KINDS:
        b.check.error(entry, f"classification must be one of {sorted(JOB_TITLE_KINDS)}")
    props["classification"] = kind
    code = entry.data.get("occupationCode")
    if code is not None and not OCCUPATION_CODE.match(str(code)):
        b.check.error(entry, f"occupationCode {code!r} is not a 大典 code like 4-04-05-05")
    if kind in {"occupation", "workType"} and not entry.data.get("occupationZh"):
        b.check.error(entry, f"a {kind} needs occupationZh, its 大典 occupation")
    verified = _flag(b, entry, "occupationVerified")
    if verified and not str(entry.data.get("occupationSource") or "").strip():
        b.check.error(entry, "a verified occupation code needs occupationSource")
    props.update({"occupationCode": None if code is None else str(code),
                  "occupationZh": b._text(entry, "occupationZh", required=code is not None),
                  # a code without a source, or a 大典 title whose code was not found
                  "occupationUnverified": (code is not None and not verified) or (
                      code is None and kind in {"occupation", "workType"}),
                  "occupationVerified": verified,
                  "occupationSource": entry.data.get("occupationSource")})


def certification_facts(b: _Builder, entry: _Entry, props: dict[str, Any]) -> None:
    kind = entry.data.get("kind")  # optional; the content report lists untyped ones
    if kind is not None and kind not in CERTIFICATION_KINDS:
        b.check.error(entry, f"kind must be one of {sorted(CERTIFICATION_KINDS)}")
    verified = _flag(b, entry, "verified")
    if verified and not str(entry.data.get("verificationSource") or "").strip():
        b.check.error(entry, "a verified certification needs verificationSource")
    props.update({"kind": kind, "verified": verified,
                  "verificationSource": entry.data.get("verificationSource")})


# ---- the evaluation kinds --------------------------------------------------------------------
def build_evaluation(b: _Builder) -> None:
    _dimensions(b)
    _indicators(b)
    _items(b)
    _externals(b)
    _crosswalks(b)


def _dimensions(b: _Builder) -> None:
    total = 0.0
    for entry in b.files.get("dimensions", []):
        props = b._versioned(entry)
        props["order"] = b._int(entry, "order", 1, 9)
        layer, strand = entry.data.get("layer"), entry.data.get("strand")
        if (layer is None) == (strand is None):
            b.check.error(entry, "a dimension is anchored on one layer or one strand")
        elif layer is not None and b._known(entry, "layers", layer, "layer"):
            props["layer"] = layer
        elif strand is not None and b._known(entry, "strands", strand, "strand"):
            props["strand"] = strand
        props["weight"] = _weight(b, entry, entry.data, "dimension")
        total += props["weight"] or 0
        b.rows["dimensions"].append({"uid": props["uid"], "props": props})
    entries = b.files.get("dimensions", [])
    if entries and abs(total - 1) > _WEIGHT_SLACK:
        b.check.error(entries[0], f"dimension weights add up to {total:g}, not 1")
    if b.files.get("indicators") and not entries:
        b.check.error(None, "indicators need dimensions", file="dimensions.yaml")


def _indicators(b: _Builder) -> None:
    competencies = {row["props"]["code"]: row["props"] for row in b.rows["competencies"]}
    dimensions = {row["props"]["code"]: row["props"] for row in b.rows["dimensions"]}
    weights: dict[str, float] = defaultdict(float)
    linked: dict[str, set[str]] = defaultdict(set)  # dimension → competencies
    for entry in b.files.get("indicators", []):
        props = b._versioned(entry)
        dimension = dimensions.get(str(entry.data.get("dimension")))
        if dimension is None:
            b.check.error(entry, f"dimension refers to unknown dimensions code "
                                 f"{entry.data.get('dimension')!r}")
            continue
        props["dimension"] = dimension["code"]
        props["weight"] = _weight(b, entry, entry.data, "indicator")
        weights[dimension["code"]] += props["weight"] or 0
        for code in b._list(entry, "competencies", required=True):
            competency = competencies.get(code)
            if competency is None:
                b.check.error(entry, f"competencies refers to unknown competencies code {code!r}")
                continue
            home = _dimension_of(competency, dimensions)
            if home != dimension["code"]:
                b.check.error(entry, f"{code} is judged in dimension {home}, not "
                                     f"{dimension['code']}")
                continue
            linked[dimension["code"]].add(code)
            b.rows["indicatorCompetencies"].append({"source": props["uid"],
                                                    "target": b._uid(code)})
        _behaviours(b, entry, props)
        b.rows["indicators"].append({"uid": props["uid"], "dimensionUid": b._uid(
            dimension["code"]), "props": props})
    for code in dimensions:
        entry = b.by_code["dimensions"][code]
        if abs(weights[code] - 1) > _WEIGHT_SLACK:
            b.check.error(entry, f"indicator weights of {code} add up to {weights[code]:g}, not 1")
        for competency in sorted(competencies):
            if _dimension_of(competencies[competency], dimensions) == code and (
                    competency not in linked[code]):
                b.check.error(entry, f"{competency} is linked to no indicator of {code}")


def _dimension_of(competency: dict[str, Any], dimensions: dict[str, dict[str, Any]]) -> str | None:
    """Each competency is judged in one dimension: the strand's (伦理安全意识 for ETH) if it is
    on a strand that has one, else its layer's."""
    for code, dimension in dimensions.items():
        if dimension.get("strand") and dimension["strand"] in competency["strands"]:
            return code
    for code, dimension in dimensions.items():
        if dimension.get("layer") and dimension["layer"] == competency.get("layer"):
            return code
    return None


def _behaviours(b: _Builder, entry: _Entry, props: dict[str, Any]) -> None:
    per_level: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, spec in enumerate(b._list(entry, "behaviours", required=True), start=1):
        if not isinstance(spec, dict):
            b.check.error(entry, "behaviours entries are {level, proficiency, descriptorZh, "
                                 "descriptorEn, evidence, weight}")
            continue
        level = spec.get("level")
        if not b._known(entry, "levels", level, "behaviours.level", _line(spec)):
            continue
        proficiency = b._proficiency(entry, spec, str(level), what=f"behaviour at {level}")
        zh = spec.get("descriptorZh")
        for key in ("descriptorZh", "descriptorEn"):
            if not isinstance(spec.get(key), str) or not spec[key].strip():
                b.check.error(entry, f"behaviour at {level}: missing {key}", line=_line(spec))
        if proficiency and isinstance(zh, str):
            problem = rules.descriptor_verb_problem(zh, proficiency)
            if problem:
                b.check.error(entry, f"behaviour at {level}: {problem}", line=_line(spec))
        evidence = spec.get("evidence")
        if evidence not in EVIDENCE_TYPES:
            b.check.error(entry, f"behaviour at {level}: evidence must be one of "
                                 f"{sorted(EVIDENCE_TYPES)}", line=_line(spec))
        weight = _weight(b, entry, spec, f"behaviour at {level}")
        per_level[str(level)].append((proficiency or 0, weight or 0))
        code = f"{props['code']}@{level}#{index}"
        uid = b._uid(code)
        b.rows["behaviours"].append({"uid": uid, "indicatorUid": props["uid"], "props": {
            "uid": uid, "fw": b.fw, "code": code,
            "indicator": props["code"], "level": level, "rank": b.level_rank.get(str(level), 0),
            "index": index,
            "proficiency": proficiency, "descriptorZh": zh, "descriptorEn": spec.get(
                "descriptorEn"), "evidence": evidence, "weight": weight}})
    ordered = sorted(b.level_rank, key=lambda lv: b.level_rank[lv])
    for level in ordered:
        if level not in per_level:
            b.check.error(entry, f"no observable behaviour at {level}")
        elif abs(sum(w for _, w in per_level[level]) - 1) > _WEIGHT_SLACK:
            b.check.error(entry, f"behaviour weights at {level} add up to "
                                 f"{sum(w for _, w in per_level[level]):g}, not 1")
    targets = [(lv, max(p for p, _ in per_level[lv]), None) for lv in ordered if per_level[lv]]
    for problem in rules.rising_target_problems(targets):
        b.check.error(entry, f"graded standard: {problem}")


def _items(b: _Builder) -> None:
    assessments = {row["props"]["code"]: row["props"] for row in b.rows["assessments"]}
    measured = {(row["source"], row["target"]) for row in b.rows["measures"]}
    asked = {(row["props"]["competency"], row["props"]["level"]): row["props"]["proficiency"]
             for row in b.rows["requirements"]}
    per_cell: dict[tuple[str, str], int] = defaultdict(int)
    for entry in b.files.get("items", []):
        props = b._common(entry, coded=True)
        props.update({"fw": b.fw, "uid": b._uid(props["code"] or "")})
        assessment = assessments.get(str(entry.data.get("assessment")))
        competency = str(entry.data.get("competency"))
        if assessment is None:
            b.check.error(entry, f"assessment refers to unknown assessments code "
                                 f"{entry.data.get('assessment')!r}")
            continue
        if not b._known(entry, "competencies", competency, "competency"):
            continue
        if (assessment["uid"], b._uid(competency)) not in measured:
            b.check.error(entry, f"{assessment['code']} does not measure {competency}")
        level = assessment.get("level")
        kind = entry.data.get("kind")
        if kind not in ITEM_KINDS:
            b.check.error(entry, f"kind must be one of {sorted(ITEM_KINDS)}")
        proficiency = b._int(entry, "proficiency", 1, 4)
        target = asked.get((competency, str(level)))
        if proficiency is not None and target is not None and proficiency != target:
            b.check.error(entry, f"proficiency {proficiency} is not {competency}'s target "
                                 f"{target} at {level}: a sample item shows the target")
        for key in ("stemZh", "stemEn", "scoringZh", "scoringEn"):
            props[key] = b._text(entry, key)
        props.update({"assessment": assessment["code"], "competency": competency,
                      "level": level, "kind": kind, "proficiency": proficiency,
                      "points": b._int(entry, "points", 1, 1000)})
        per_cell[(competency, str(level))] += 1
        b.rows["items"].append({"uid": props["uid"], "assessmentUid": assessment["uid"],
                                "competencyUid": b._uid(competency), "props": props})
    if not b.files.get("items"):
        return
    for (competency, level) in sorted(asked):
        layer = b.by_code["competencies"][competency].data.get("layer")
        if layer == "GEN" and per_cell[(competency, level)] < SAMPLE_ITEMS_PER_CELL:
            b.check.error(None, f"{competency} at {level} has {per_cell[(competency, level)]} "
                                f"sample item(s); every GEN competency needs "
                                f"{SAMPLE_ITEMS_PER_CELL} per level", file="items.yaml")


def _externals(b: _Builder) -> None:
    for entry in b.files.get("externals", []):
        props = b._versioned(entry)
        scheme = entry.data.get("scheme")
        if scheme not in SCHEMES:
            b.check.error(entry, f"scheme must be one of {sorted(SCHEMES)}")
        props["scheme"] = scheme
        for key in ("dimensionZh", "dimensionEn", "levelZh", "levelEn"):
            props[key] = b._text(entry, key)
        props["levelRank"] = b._int(entry, "levelRank", 1, 3)
        b.rows["externals"].append({"uid": props["uid"], "props": props})


def _crosswalks(b: _Builder) -> None:
    externals = {row["props"]["code"]: row["props"] for row in b.rows["externals"]}
    tiers = {row["props"]["code"]: row["props"] for row in b.rows["teacherTiers"]}
    linked: set[str] = set()
    for entry in b.files.get("crosswalks", []):
        props = b._common(entry)
        source, target = str(entry.data.get("from")), str(entry.data.get("to"))
        external = externals.get(target)
        match = entry.data.get("match")
        if match not in MATCH_KINDS:
            b.check.error(entry, f"match must be one of {sorted(MATCH_KINDS)}")
        if external is None:
            b.check.error(entry, f"to refers to unknown externals code {target!r}")
            continue
        for key in ("reasonZh", "reasonEn"):
            props[key] = b._text(entry, key)
        row = {"source": b._uid(source), "target": external["uid"], "code": props["code"],
               "match": match, "reasonZh": props["reasonZh"], "reasonEn": props["reasonEn"],
               "citation": props["source"]}
        # the entry itself, as a node, so exports read it back like every other kind
        link_uid = b._uid(props["code"] or "")
        b.rows["crosswalkLinks"].append({"uid": link_uid, "props": {
            **props, "uid": link_uid, "fw": b.fw, "from": source, "to": target,
            "match": match}})
        if source in tiers:
            if external["scheme"] != "UNESCO-AI-CFT-2024":
                b.check.error(entry, "a teacher tier maps to the teachers' framework (AI CFT)")
            elif tiers[source]["rank"] != external["levelRank"]:
                b.check.error(entry, f"{source} (tier {tiers[source]['rank']}) maps to CFT level "
                                     f"{tiers[source]['rank']}, not {external['levelRank']}")
            b.rows["crosswalkTiers"].append(row)
        elif source in b.by_code["competencies"]:
            if external["scheme"] != "UNESCO-AI-CFS-2024":
                b.check.error(entry, "a competency maps to the students' framework (AI CFS)")
            b.rows["crosswalkCompetencies"].append(row)
        else:
            b.check.error(entry, f"from refers to no competency or teacher tier {source!r}")
            continue
        linked.add(target)
    if not b.files.get("crosswalks"):
        return
    for code, external in externals.items():
        if external["scheme"] == "UNESCO-AI-CFS-2024" and code not in linked:
            b.check.error(b.by_code["externals"][code], f"{code} has no crosswalk link")
    for code in tiers:
        if not any(row["source"] == b._uid(code) for row in b.rows["crosswalkTiers"]):
            b.check.error(b.by_code["teachers"][code], f"{code} maps to no AI CFT competency")
