"""Validating the teacher competency standard (教师人工智能教学胜任力标准, 004 指引 六).

Each standard item belongs to one tier (TT-1 普及层, TT-2 深化层, TT-3 研发层, declared in
``teachers.yaml``) and one layer (GEN 通识素养, PRO 专业技能, IND 行业能力), and says which
teacher evidence demonstrates it: a kind (training, enterprise practice, project, teaching
case), a threshold (total hours, or a number of pieces) and, for projects, the roles that
count. Thresholds are totals of a teacher's evidence, so a higher tier asks at least as much as
a lower one of the same kind and layer (tiers are cumulative, as ``teachers.yaml`` says).

The checks are small functions returning a reason or ``None``; ``build_teaching`` applies them
through the seed builder, so errors keep the one format ``file:line (entry N): reason``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from graph.teacher_standards import EVIDENCE_KINDS, PROJECT_ROLES

if TYPE_CHECKING:
    from seed.validate import _Builder, _Entry

__all__ = [
    "EVIDENCE_KINDS", "PROJECT_ROLES", "STANDARD_LAYERS", "TEACHING_KINDS", "build_teaching",
    "citation_problem", "criterion_problem", "cumulative_problems", "tier_layers_problem",
]

TEACHING_KINDS = ("teacherStandards",)
STANDARD_LAYERS = ("GEN", "PRO", "IND")  # 全员通识素养、专业技能和行业能力并举 (004 指引 六)


def criterion_problem(kind: object, min_hours: object, min_count: object,
                      roles: Sequence[object]) -> str | None:
    """Why an item's evidence criterion cannot be checked, or None if it can."""
    if kind not in EVIDENCE_KINDS:
        return f"evidenceKind must be one of {', '.join(EVIDENCE_KINDS)}, got {kind!r}"
    given = [name for name, value in (("minHours", min_hours), ("minCount", min_count))
             if value is not None]
    if len(given) != 1:
        return "give exactly one threshold: minHours (total hours) or minCount (pieces)"
    for name, value in (("minHours", min_hours), ("minCount", min_count)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= 5000):
            return f"{name} must be a whole number in 1..5000, got {value!r}"
    if roles and kind != "project":
        return "roles apply to project evidence only"
    unknown = [r for r in roles if r not in PROJECT_ROLES]
    if unknown:
        return f"roles must be among {', '.join(PROJECT_ROLES)}, got {unknown[0]!r}"
    return None


def citation_problem(source: object) -> str | None:
    """Every standard item cites the 指引 (seed 004), optionally with a design note."""
    text = str(source or "").strip()
    if not text.startswith("004 "):
        return "source must cite the 指引 (e.g. '004 指引 六(一)2'), then any 'design:' note"
    return None


def tier_layers_problem(tier: str, layers: Iterable[str]) -> str | None:
    """A tier covers general literacy, professional skills and industry capability."""
    missing = [layer for layer in STANDARD_LAYERS if layer not in set(layers)]
    if missing:
        return f"tier {tier} has no standard item in layer(s) {', '.join(missing)}"
    return None


def cumulative_problems(items: Sequence[tuple[int, str, str, str, int]]) -> list[str]:
    """``items`` are (tier rank, code, layer, kind+roles key, threshold): a higher tier's
    threshold for the same layer and evidence is at least a lower tier's."""
    by_key: dict[tuple[str, str], list[tuple[int, str, int]]] = defaultdict(list)
    for rank, code, layer, key, threshold in items:
        by_key[(layer, key)].append((rank, code, threshold))
    problems = []
    for ranked in by_key.values():
        ranked.sort()
        for (low_rank, low_code, low), (high_rank, code, high) in itertools.pairwise(ranked):
            if high_rank > low_rank and high < low:
                problems.append(f"{code} asks {high}, less than {low_code} of a lower tier "
                                f"({low}): tiers are cumulative")
    return problems


def _threshold_key(props: dict[str, Any]) -> tuple[str, int]:
    unit = "hours" if props.get("minHours") is not None else "count"
    key = f"{props.get('evidenceKind')}:{unit}:{','.join(props.get('roles') or [])}"
    return key, int(props.get("minHours") or props.get("minCount") or 0)


def build_teaching(b: _Builder) -> None:
    """Check the teacher standard entries and add their rows (``teacherStandards``)."""
    ranks = {entry.code: entry.data.get("rank") for entry in b.files.get("teachers", [])}
    layers_of: dict[str, set[str]] = defaultdict(set)
    thresholds: list[tuple[int, str, str, str, int]] = []
    entries: list[_Entry] = b.files.get("teacherStandards", [])
    for entry in entries:
        props = b._versioned(entry)
        tier, layer = entry.data.get("tier"), entry.data.get("layer")
        tier_known = b._known(entry, "teachers", tier, "tier")
        layer_known = b._known(entry, "layers", layer, "layer")
        if layer_known and layer not in STANDARD_LAYERS:
            b.check.error(entry, f"layer must be one of {', '.join(STANDARD_LAYERS)}")
        roles = b._list(entry, "roles")
        props.update({"tier": tier, "layer": layer,
                      "evidenceKind": entry.data.get("evidenceKind"),
                      "minHours": entry.data.get("minHours"),
                      "minCount": entry.data.get("minCount"), "roles": list(roles),
                      "withinYears": entry.data.get("withinYears")})
        for problem in (criterion_problem(props["evidenceKind"], props["minHours"],
                                          props["minCount"], roles),
                        citation_problem(props.get("source"))):
            if problem:
                b.check.error(entry, problem)
        if props["withinYears"] is not None:
            b._int(entry, "withinYears", 1, 20)
        for key in ("descriptionZh", "descriptionEn"):
            b._text(entry, key)
        if tier_known and layer_known:
            layers_of[str(tier)].add(str(layer))
            rank = ranks.get(str(tier))
            if isinstance(rank, int):
                thresholds.append((rank, props["code"] or "", str(layer),
                                   *_threshold_key(props)))
        b.rows["teacherStandards"].append({"uid": props["uid"], "tier": b._uid(str(tier)),
                                           "layer": layer, "props": props})
    if entries:
        for tier_entry in b.files.get("teachers", []):
            problem = tier_layers_problem(tier_entry.code, layers_of.get(tier_entry.code, ()))
            if problem:
                b.check.error(tier_entry, problem)
        for problem in cumulative_problems(thresholds):
            code = problem.split(" ", 1)[0]
            b.check.error(b.by_code["teacherStandards"][code], problem)
