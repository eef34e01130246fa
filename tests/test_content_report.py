"""``competency-graph report content`` and the GraphQL of the evaluation side (indicator
system, sample items, crosswalks, offerings, classifications), on the reference seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from seed.report import content_report, format_content_report
from service.cli import main

# libyaml where PyYAML has it: the seed files are large and tests rewrite them often
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def test_the_reference_seed_is_clean_except_listed_unverified_facts() -> None:
    report = content_report()
    assert report.problems == 0, format_content_report(report)
    assert report.rising_violations == [] and report.verb_mismatches == []
    assert report.validation_errors == [] and report.sample_item_gaps == []
    assert report.uncrosswalked == []
    # the indicator system has behaviours for all four dimensions at all three levels
    assert {d for d, _ in report.indicator_cells} == {"DIM-GEN", "DIM-PRO", "DIM-IND",
                                                      "DIM-ETH"}
    assert all(n > 0 for n in report.indicator_cells.values())
    majors = sum(len(codes) for codes in report.majors_by_category.values())
    assert majors >= 12 and len(report.majors_by_category) >= 8
    # what could not be verified is listed, one line per fact
    assert any("M-AI at BK" in fact for fact in report.unverified)
    assert not any("M-AI at GZ" in fact for fact in report.unverified)  # 510209 is verified
    assert report.targets[("GZ", "GEN")] == report.competencies["GEN"]
    assert report.citations["policy"] > report.citations["design"] > 0


def test_the_report_finds_what_the_validator_would_refuse(seed_copy: Path) -> None:
    path = seed_copy / "competencies-general.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    data[0]["requirements"]["BK"]["proficiency"] = 2  # GEN-01: ZZ 1, GZ 2, BK 2
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    report = content_report(seed_copy)
    assert report.rising_violations == [
        "GEN-01: target at BK (2) does not rise above GZ (2); raise it or mark the "
        "requirement as a cited consolidation"]
    assert any(m.startswith("GEN-01@BK") for m in report.verb_mismatches)  # says 分析 at 2
    assert report.validation_errors and report.problems > 0


def test_the_cli_prints_the_report_and_fails_on_a_violation(
        seed_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "content"]) == 0
    out = capsys.readouterr().out
    assert "Rising-target violations: 0" in out and "Descriptor-verb mismatches: 0" in out
    assert "Majors: " in out and "Unverified facts" in out
    path = seed_copy / "items.yaml"
    items = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    path.write_text(yaml.dump(items[1:], Dumper=_DUMPER, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    assert main(["report", "content", "--seed", str(seed_copy)]) == 1
    assert "GEN-01@ZZ: 1 sample item(s)" in capsys.readouterr().out


def ok(result: Any) -> dict[str, Any]:
    assert result.errors is None, result.errors
    return result.data  # type: ignore[no-any-return]


async def test_the_indicator_system_is_served(run_query: Any) -> None:
    data = ok(await run_query(
        "{ evaluationDimensions { code weight layerCode strandCode indicators { code weight "
        "competencies { code kind } behaviours { levelCode target { value } evidence weight "
        "descriptorZh } } } }"))["evaluationDimensions"]
    assert [d["code"] for d in data] == ["DIM-GEN", "DIM-PRO", "DIM-IND", "DIM-ETH"]
    assert sum(d["weight"] for d in data) == pytest.approx(1)
    assert data[3]["strandCode"] == "ETH" and data[0]["layerCode"] == "GEN"
    for dimension in data:
        assert sum(i["weight"] for i in dimension["indicators"]) == pytest.approx(1)
        for indicator in dimension["indicators"]:
            by_level: dict[str, list[int]] = {}
            for behaviour in indicator["behaviours"]:
                by_level.setdefault(behaviour["levelCode"], []).append(
                    behaviour["target"]["value"])
            assert list(by_level) == ["ZZ", "GZ", "BK"]
            assert max(by_level["ZZ"]) < max(by_level["GZ"]) < max(by_level["BK"])
    eth = {c["code"]: c["kind"] for i in data[3]["indicators"] for c in i["competencies"]}
    assert eth["GEN-18"] == "QUALITY" and "PRO-AGR-09" in eth


async def test_sample_items_page_and_filter(run_query: Any) -> None:
    query = ("query($after: String) { sampleItems(level: ZZ, competency: \"GEN-04\", "
             "first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } "
             "nodes { code assessmentCode levelCode kind target { value } points stemZh "
             "scoringZh } } }")
    first = ok(await run_query(query))["sampleItems"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    second = ok(await run_query(query, {"after": first["pageInfo"]["endCursor"]}))
    items = first["nodes"] + second["sampleItems"]["nodes"]
    assert [i["code"] for i in items] == ["SI-GEN-04-ZZ-1", "SI-GEN-04-ZZ-2"]
    assert {i["target"]["value"] for i in items} == {2}  # GEN-04's ZZ target
    assert all(i["scoringZh"] and i["levelCode"] == "ZZ" for i in items)


async def test_crosswalks_cover_every_unesco_student_competency(run_query: Any) -> None:
    data = ok(await run_query(
        "{ externalCompetencies(scheme: UNESCO_AI_CFS_2024) { code levelRank } "
        "crosswalk(scheme: UNESCO_AI_CFS_2024) { fromCode fromKind match reasonZh "
        "external { code } } "
        "tiers: crosswalk(scheme: UNESCO_AI_CFT_2024) { fromCode external { levelRank } } }"))
    cfs = {e["code"] for e in data["externalCompetencies"]}
    assert len(cfs) == 12
    assert {link["external"]["code"] for link in data["crosswalk"]} == cfs
    assert all(link["reasonZh"] and link["fromKind"] == "COMPETENCY"
               for link in data["crosswalk"])
    assert {link["match"] for link in data["crosswalk"]} == {"EXACT_MATCH", "PARTIAL_MATCH",
                                                             "RELATED"}
    tiers = {(link["fromCode"], link["external"]["levelRank"]) for link in data["tiers"]}
    assert tiers == {("TT-1", 1), ("TT-2", 2), ("TT-3", 3)}


async def test_offerings_classifications_and_consolidations(run_query: Any) -> None:
    data = ok(await run_query(
        "{ majorOfferings(major: \"M-AI\") { levelCode nameZh catalogCode verified } "
        "jobClassifications(classification: WORK_TYPE) { jobCode nameZh occupationCode "
        "occupationZh verified } "
        "certificationProfiles(kind: VENDOR) { code verified } "
        "consolidations { competencyCode levelCode target { value } reason } "
        "typedCompetencies(kind: QUALITY, layer: GEN) { code } }"))
    assert [(o["levelCode"], o["nameZh"], o["verified"]) for o in data["majorOfferings"]] == [
        ("ZZ", "人工智能技术应用", False), ("GZ", "人工智能技术应用", True),
        ("BK", "人工智能工程技术", False)]
    labeller = next(j for j in data["jobClassifications"] if j["jobCode"] == "JOB-IT-01")
    assert labeller == {"jobCode": "JOB-IT-01", "nameZh": "数据标注员",
                        "occupationCode": "4-04-05-05", "occupationZh": "人工智能训练师",
                        "verified": True}
    assert {"code": "CERT-HCIA-AI", "verified": True} in data["certificationProfiles"]
    assert {(c["competencyCode"], c["levelCode"]) for c in data["consolidations"]} == {
        ("GEN-19", "BK"), ("GEN-24", "BK")}
    assert all(c["reason"].startswith("004") for c in data["consolidations"])
    assert {c["code"] for c in data["typedCompetencies"]} == {
        f"GEN-{n}" for n in range(17, 29)}
