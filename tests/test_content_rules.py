"""The reference framework's content rules: proficiency verbs, rising targets and cited
consolidations, the indicator system, sample items, crosswalks and verifiable facts.

Rules are checked as functions and through the validator on a broken copy of the seed, so
each refusal keeps the format ``file:line (entry N): reason``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from seed import SeedInvalid, parse_seed
from seed.rules import (
    consolidation_problem,
    descriptor_verb_problem,
    rising_target_problems,
    verb_level,
)

# libyaml where PyYAML has it: the seed files are large and tests rewrite them often
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def edit(seed_dir: Path, file: str, change: Callable[[Any], None]) -> None:
    path = seed_dir / file
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    change(data)
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def entry(data: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(item for item in data if item.get("code") == code)


def errors_of(seed_dir: Path) -> list[str]:
    with pytest.raises(SeedInvalid) as raised:
        parse_seed(seed_dir)
    return [str(error) for error in raised.value.errors]


# ---- the rules as functions ------------------------------------------------------------------
@pytest.mark.parametrize(("text", "level"), [
    ("能用自己的话说明什么是人工智能。", 1),
    ("能使用电子表格整理数据并说明结果。", 2),  # the highest verb decides
    ("能设计数据采集方案并完成整理。", 3),
    ("能构建业务数据治理体系并评估其效果。", 4),
    ("人工智能很重要。", 0),
])
def test_verb_level_is_the_highest_verb_found(text: str, level: int) -> None:
    assert verb_level(text)[0] == level


def test_a_descriptor_must_show_its_proficiency_and_no_higher() -> None:
    assert descriptor_verb_problem("能操作智能设备完成点检。", 2) is None
    too_low = descriptor_verb_problem("能操作智能设备完成点检。", 3)
    assert too_low and "only uses verbs up to proficiency 2" in too_low
    too_high = descriptor_verb_problem("能分析设备数据。", 2)
    assert too_high and "分析" in too_high and "proficiency 3" in too_high
    assert "no verb" in (descriptor_verb_problem("人工智能很重要。", 1) or "")


def test_targets_rise_unless_a_level_is_a_cited_consolidation() -> None:
    assert rising_target_problems([("ZZ", 1, None), ("GZ", 2, None), ("BK", 3, None)]) == []
    flat = rising_target_problems([("ZZ", 1, None), ("GZ", 2, None), ("BK", 2, None)])
    assert len(flat) == 1 and "BK (2) does not rise above GZ (2)" in flat[0]
    assert rising_target_problems([("GZ", 3, None), ("BK", 3, "004 指引 四(一) 强化")]) == []


def test_a_consolidation_holds_the_earlier_target_and_cites_its_reason() -> None:
    assert consolidation_problem("004 指引 四(一) 强化伦理意识", 3, 3) is None
    assert "keeps the earlier target 3" in (consolidation_problem("004 指引 四(一)", 4, 3) or "")
    assert "earlier level" in (consolidation_problem("004 指引 四(一)", 2, None) or "")
    assert "cite" in (consolidation_problem("because", 3, 3) or "")


# ---- through the validator -------------------------------------------------------------------
def test_a_descriptor_with_a_higher_verb_is_refused_at_its_line(seed_copy: Path) -> None:
    def overclaim(data: list[dict[str, Any]]) -> None:
        entry(data, "GEN-01")["requirements"]["ZZ"]["descriptorZh"] = "能设计人工智能方案。"

    edit(seed_copy, "competencies-general.yaml", overclaim)
    errors = errors_of(seed_copy)
    assert len(errors) == 1
    assert errors[0].startswith("competencies-general.yaml:") and "(entry 1)" in errors[0]
    assert "requirement ZZ: descriptor at proficiency 1 uses 设计" in errors[0]


def test_a_flat_target_is_refused_and_a_cited_consolidation_accepted(seed_copy: Path) -> None:
    def flatten(data: list[dict[str, Any]]) -> None:
        bk = entry(data, "GEN-20")["requirements"]["BK"]
        bk.update(proficiency=2, descriptorZh="能运用伦理原则审视案例。")

    edit(seed_copy, "competencies-general.yaml", flatten)
    assert any("GZ (2)" in e and "does not rise" in e for e in errors_of(seed_copy))

    def consolidate(data: list[dict[str, Any]]) -> None:
        entry(data, "GEN-20")["requirements"]["BK"]["consolidation"] = "004 指引 四(一) 强化"

    def retarget_items(data: list[dict[str, Any]]) -> None:
        for item in data:
            if item["competency"] == "GEN-20" and item["code"].startswith("SI-GEN-20-BK"):
                item["proficiency"] = 2

    edit(seed_copy, "competencies-general.yaml", consolidate)
    edit(seed_copy, "items.yaml", retarget_items)
    consolidated = [row["props"] for row in parse_seed(seed_copy).rows["requirements"]
                    if row["props"]["code"] == "GEN-20@BK"]
    assert consolidated[0]["consolidation"] == "004 指引 四(一) 强化"


def test_indicators_must_cover_every_level_and_every_competency(seed_copy: Path) -> None:
    def break_indicator(data: list[dict[str, Any]]) -> None:
        indicator = entry(data, "IDX-GEN-01")
        indicator["behaviours"] = [b for b in indicator["behaviours"] if b["level"] != "BK"]
        indicator["competencies"].remove("GEN-05")

    edit(seed_copy, "indicators.yaml", break_indicator)
    errors = errors_of(seed_copy)
    assert any(e.startswith("indicators.yaml:") and "no observable behaviour at BK" in e
               for e in errors)
    assert any(e.startswith("dimensions.yaml:") and "GEN-05 is linked to no indicator of "
               "DIM-GEN" in e for e in errors)


def test_indicator_weights_evidence_and_dimension_are_checked(seed_copy: Path) -> None:
    def break_indicator(data: list[dict[str, Any]]) -> None:
        indicator = entry(data, "IDX-ETH-02")
        indicator["behaviours"][0]["evidence"] = "gossip"
        indicator["behaviours"][0]["weight"] = 0.9  # the ZZ weights now add up to 1.3
        indicator["competencies"].append("GEN-01")  # judged in DIM-GEN, not DIM-ETH

    edit(seed_copy, "indicators.yaml", break_indicator)
    errors = errors_of(seed_copy)
    assert any("evidence must be one of" in e for e in errors)
    assert any("behaviour weights at ZZ add up to 1.3" in e for e in errors)
    assert any("GEN-01 is judged in dimension DIM-GEN, not DIM-ETH" in e for e in errors)


def test_every_gen_cell_needs_two_sample_items_of_a_measuring_assessment(
        seed_copy: Path) -> None:
    def break_items(data: list[dict[str, Any]]) -> None:
        data[:] = [i for i in data if i["code"] != "SI-GEN-05-GZ-2"]
        entry(data, "SI-GEN-01-ZZ-1")["assessment"] = "A-GEN-ZZ-03"  # does not measure GEN-01
        entry(data, "SI-GEN-02-ZZ-1")["proficiency"] = 2  # GEN-02's ZZ target is 1

    edit(seed_copy, "items.yaml", break_items)
    errors = errors_of(seed_copy)
    assert any("GEN-05 at GZ has 1 sample item(s)" in e for e in errors)
    assert any("A-GEN-ZZ-03 does not measure GEN-01" in e for e in errors)
    assert any("proficiency 2 is not GEN-02's target 1 at ZZ" in e for e in errors)


def test_every_unesco_student_competency_needs_a_crosswalk_link(seed_copy: Path) -> None:
    def drop(data: list[dict[str, Any]]) -> None:
        data[:] = [link for link in data if link["to"] != "CFS-SD-A"]
        data[0]["match"] = "sameish"

    edit(seed_copy, "crosswalks.yaml", drop)
    errors = errors_of(seed_copy)
    assert any(e.startswith("externals.yaml:") and "CFS-SD-A has no crosswalk link" in e
               for e in errors)
    assert any("match must be one of" in e for e in errors)


def test_teacher_tiers_map_to_the_cft_level_of_their_rank(seed_copy: Path) -> None:
    def wrong_level(data: list[dict[str, Any]]) -> None:
        link = next(link for link in data if link["from"] == "TT-1")
        link["to"] = "CFT-PE-C"

    edit(seed_copy, "crosswalks.yaml", wrong_level)
    assert any("TT-1 (tier 1) maps to CFT level 1, not 3" in e for e in errors_of(seed_copy))


def test_verified_facts_need_their_source(seed_copy: Path) -> None:
    edit(seed_copy, "majors.yaml",
         lambda d: entry(d, "M-AI")["offerings"][1].pop("catalogSource"))
    edit(seed_copy, "jobs.yaml", lambda d: entry(d, "JOB-IT-01").pop("occupationZh"))
    edit(seed_copy, "certifications.yaml",
         lambda d: entry(d, "CERT-HCIA-AI").update(kind="sticker"))
    errors = errors_of(seed_copy)
    assert any("offering GZ: a verified code needs catalogCode and catalogSource" in e
               for e in errors)
    assert any("a workType needs occupationZh" in e for e in errors)
    assert any(e.startswith("certifications.yaml:") and "kind must be one of" in e
               for e in errors)


def test_only_verified_catalogue_codes_reach_catalog_codes() -> None:
    rows = parse_seed().rows
    majors = {row["props"]["code"]: row["props"] for row in rows["majors"]}
    assert majors["M-AI"]["catalogCodes"] == ["GZ:510209"]
    offerings = [row["props"] for row in rows["majorOfferings"]
                 if row["props"]["major"] == "M-AI"]
    assert [(o["level"], o["nameZh"]) for o in offerings] == [
        ("ZZ", "人工智能技术应用"), ("GZ", "人工智能技术应用"), ("BK", "人工智能工程技术")]
