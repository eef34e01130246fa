"""Content rules of the reference framework, as small functions that return a reason or None.

Each rule takes plain values and knows nothing of files or lines, so the seed validator and
the content report share one definition and one message. These are rules of the reference
framework's *text*; the framework's structural rules (proficiency range, level maximum, the
design exemption, codes, cycles), which the editing mutations enforce too, are in
``graph/rules.py``.

The proficiency verbs (``VERBS``) are the documented scale of ``seed/README.md``:

- 1 了解 knows, recognises, explains: 了解 知道 识别 说明 描述 列举 举例 区分 辨别 解释 认识 读懂
- 2 运用 applies, operates: 运用 使用 操作 完成 执行 处理 调用 配置 检查 核对 遵守 按照 记录
- 3 设计 designs, analyses, plans: 设计 分析 规划 制定 制订 评估 优化 诊断 选型 论证
- 4 创新 innovates, builds new models: 创新 构建 创建 开创 重构 引领 研发

A descriptor fits its proficiency when the highest-ranked verb it contains belongs to that
proficiency: it must show its own level's performance and must not promise a higher one (a
level-2 entry that says 分析 claims level 3). Higher verbs used as nouns are rephrased. The
Chinese descriptor is checked because it is the authoritative text (English is beside it).
The refinements over the issue's short list, with reasons: 知道/描述/列举/举例/区分/辨别/解释/
认识/读懂 are recall and comprehension (Bloom 1–2); 使用/完成/执行/处理/调用/配置/检查/核对/遵守/
按照/记录 are performing a known procedure; 制定/制订/评估/优化/诊断/选型/论证 plan or judge a
solution, as 设计 does; 创建/开创/重构/引领/研发 make something new, as 构建 does. 应用 and 判断
are left out on purpose: 应用 is mostly a noun (人工智能应用) and 判断 spans levels.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

__all__ = [
    "CITATION_KINDS", "VERBS", "citation_kind", "consolidation_problem",
    "descriptor_verb_problem", "rising_target_problems", "verb_level",
]

VERBS: dict[int, tuple[str, ...]] = {
    1: ("了解", "知道", "识别", "说明", "描述", "列举", "举例", "区分", "辨别", "解释", "认识",
        "读懂"),
    2: ("运用", "使用", "操作", "完成", "执行", "处理", "调用", "配置", "检查", "核对", "遵守",
        "按照", "记录"),
    3: ("设计", "分析", "规划", "制定", "制订", "评估", "优化", "诊断", "选型", "论证"),
    4: ("创新", "构建", "创建", "开创", "重构", "引领", "研发"),
}

# Where an entry's ``source`` comes from; ``design`` is our own elaboration with a reason.
CITATION_KINDS = ("policy", "catalogue", "occupation", "certification", "international",
                  "design", "other")
_POLICY_SEEDS = ("000", "001", "002", "003", "004")


def verb_level(text: str) -> tuple[int, list[str]]:
    """The highest proficiency whose verbs occur in ``text`` (0 if none) and those verbs."""
    for level in sorted(VERBS, reverse=True):
        found = [verb for verb in VERBS[level] if verb in text]
        if found:
            return level, found
    return 0, []


def descriptor_verb_problem(text: str, proficiency: int) -> str | None:
    """Why ``text`` does not read as proficiency ``proficiency``, or None if it does."""
    level, found = verb_level(text)
    if level == proficiency:
        return None
    if level == 0:
        return (f"descriptor has no verb of proficiency {proficiency} "
                f"({'/'.join(VERBS[proficiency][:4])}…)")
    if level > proficiency:
        return (f"descriptor at proficiency {proficiency} uses {'/'.join(found)}, a verb of "
                f"proficiency {level}")
    return (f"descriptor at proficiency {proficiency} only uses verbs up to proficiency "
            f"{level} ({'/'.join(found)}); it needs one of "
            f"{'/'.join(VERBS[proficiency][:4])}…")


def rising_target_problems(targets: Sequence[tuple[str, int, str | None]]) -> list[str]:
    """Targets must rise from level to level (ZZ < GZ < BK) unless a level is a cited
    consolidation. ``targets`` are ``(level, proficiency, consolidation)`` in level order."""
    problems = []
    for (before, low, _), (level, high, consolidation) in itertools.pairwise(targets):
        if consolidation:
            continue
        if high <= low:
            problems.append(f"target at {level} ({high}) does not rise above {before} ({low}); "
                            "raise it or mark the requirement as a cited consolidation")
    return problems


def consolidation_problem(consolidation: object, proficiency: int,
                          previous: int | None) -> str | None:
    """A consolidation holds the earlier level's target with a cited reason."""
    if consolidation is None:
        return None
    if not isinstance(consolidation, str) or not consolidation.strip():
        return "consolidation must be a citation with its reason"
    if previous is None:
        return "consolidation needs an earlier level to consolidate"
    if proficiency != previous:
        return (f"a consolidation keeps the earlier target {previous}; "
                f"got {proficiency} (a rise needs no marker)")
    if citation_kind(consolidation) not in {"policy", "design"}:
        return "consolidation must cite the policy text (e.g. '004 指引 四(一)') or start 'design:'"
    return None


def citation_kind(source: object) -> str:
    """Classify a ``source`` string; unknown forms count as ``design`` only when they say so."""
    text = str(source or "").strip()
    lowered = text.lower()
    if lowered.startswith("design"):
        return "design"
    if text[:3] in _POLICY_SEEDS:
        return "policy"
    if "专业目录" in text or "教学标准" in text:
        return "catalogue"
    if "职业分类大典" in text or "职业技能标准" in text or "新职业" in text:
        return "occupation"
    if lowered.startswith("unesco"):
        return "international"
    return "other"
