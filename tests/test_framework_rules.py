"""The framework rules (``graph.rules``) and their one error shape, seen from both callers:
the seed validator and the editing mutations refuse the same broken rule with the same
code and the same words, each located its own way (file/entry/line, row/field)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph import editing, rules
from graph.embedded import EmbeddedStore
from graph.rules import RuleError
from seed import SeedInvalid, load_seed, parse_seed
from tests.curriculum_data import FILES, FW, write_tiny_seed

ACTOR = editing.Actor("designer-7", "designer")


# ---- the rules on plain values ------------------------------------------------------------
def test_proficiency_range_and_level_maximum() -> None:
    level_max = {"ZZ": 2, "GZ": 3}
    assert rules.proficiency_error(2, "ZZ", level_max) is None
    for bad in (0, 5, True, "3", None, 2.0):
        error = rules.proficiency_error(bad, "ZZ", level_max)
        assert error is not None and error.code == rules.PROFICIENCY_OUT_OF_RANGE, bad
    above = rules.proficiency_error(3, "ZZ", level_max)
    assert above is not None and above.code == rules.PROFICIENCY_ABOVE_LEVEL_MAX
    assert "level ZZ's maximum 2" in above.message
    assert rules.proficiency_error(3, "GZ", level_max) is None
    # an unknown level is refused by its own rule; the range is still checked
    assert rules.proficiency_error(4, "XX", level_max) is None
    assert rules.proficiency_error(4, None, level_max) is None


def test_the_design_exemption() -> None:
    assert rules.proficiency_error(3, "ZZ", {"ZZ": 2}, design=True) is None
    assert rules.is_design("design: the 004 guideline asks 设计 here")
    assert rules.is_design("  Design — a local elaboration")
    for source in ("004 指引 二(一)", "", None, 7, "redesign"):
        assert not rules.is_design(source), source
    out = rules.proficiency_error(5, "ZZ", {"ZZ": 2}, design=True)
    assert out is not None and out.code == rules.PROFICIENCY_OUT_OF_RANGE  # not exempted


def test_codes_known_codes_and_closed_sets() -> None:
    assert rules.code_error("GEN-01") is None
    for bad in ("gen-01", "-A", "", None, 3, "A B"):
        error = rules.code_error(bad)
        assert error is not None and error.code == rules.INVALID_CODE, bad
    unknown = rules.unknown_code_error("GEN-9", {"GEN-1"}, "competency", "teaches[0].competency",
                                       scope=FW)
    assert unknown == RuleError(rules.UNKNOWN_CODE, "teaches[0].competency refers to unknown "
                                f"competency code 'GEN-9' in {FW}",
                                field="teaches[0].competency")
    assert rules.unknown_code_error("GEN-1", {"GEN-1"}, "competency", "x") is None
    assert rules.one_of_error("elective", "kind", rules.COURSE_KINDS) is None
    assert rules.one_of_error("optional", "kind", rules.COURSE_KINDS) is not None


@pytest.mark.parametrize(("value", "bounds", "ok"), [
    (1, (0, 1, True), True), (0, (0, 1, True), False), (0.5, (0, 1, True), True),
    (1, (1, 12, False), True), (13, (1, 12, False), False), (2.5, (1, 12, False), False),
    (True, (0, 30, True), False), ("3", (0, 30, True), False),
])
def test_numbers(value: Any, bounds: tuple[int, int, bool], ok: bool) -> None:
    low, high, open_low = bounds
    whole = not open_low
    error = rules.number_error(value, "n", low, high, whole=whole, open_low=open_low)
    assert (error is None) is ok
    assert error is None or (error.code == rules.INVALID_VALUE and error.field == "n")


def test_a_cycle_is_named_from_what_comes_first() -> None:
    graph = {"A": ["B"], "B": ["C"], "C": ["A"]}
    start, error = rules.cycle_error(graph, "prerequisite cycle", {"B": 0, "C": 1}) or ("", None)
    assert start == "B" and error is not None
    assert error.message == "prerequisite cycle: B → C → A → B"
    assert error.code == rules.PREREQUISITE_CYCLE
    assert rules.cycle_error({"A": ["B"], "B": []}, "x", {}) is None
    assert rules.self_requirement_error("A").message == "A cannot require itself: A → A"


def test_scope_flags_offers_and_progressions() -> None:
    assert rules.anchor_error("GEN", None, None) is None
    assert rules.anchor_error("PRO", "M-T", None) is None
    pro, ind = rules.anchor_error("PRO", None, "IT"), rules.anchor_error("IND", "M-T", "")
    assert pro is not None and (pro.code, pro.field) == (rules.MISSING_FIELD, "major")
    assert ind is not None and (ind.code, ind.field) == (rules.MISSING_FIELD, "industry")
    assert rules.flag_error(False, "required") is None
    for bad in ("yes", 1, None):
        assert rules.flag_error(bad, "required") is not None, bad
    assert rules.major_level_error("M-T", "GZ", ["ZZ", "GZ"]) is None
    assert rules.major_level_error("M-T", "BK", ["ZZ", "GZ"]) is not None
    rank = {"ZZ": 1, "GZ": 2, "BK": 3}
    assert rules.progression_error("A", "ZZ", ["ZZ"], "B", "GZ", ["GZ"], rank) is None
    fields = [getattr(rules.progression_error("A", *case, rank), "field", None) for case in (
        ("GZ", ["ZZ"], "B", "BK", ["BK"]),  # A has no GZ requirement
        ("ZZ", ["ZZ"], "B", "BK", ["GZ"]),  # B has no BK requirement
        ("GZ", ["GZ"], "B", "ZZ", ["ZZ"]),  # leads downwards
    )]
    assert fields == ["from", "level", "level"]


def test_one_error_shape_located_two_ways() -> None:
    error = RuleError(rules.INVALID_VALUE, "credits 0 is outside (0, 30]")
    in_seed = error.at(file="courses.yaml", entry=3, line=41)
    in_batch = error.at(index=2, field="credits")
    assert str(in_seed) == "courses.yaml:41 (entry 3): credits 0 is outside (0, 30]"
    assert str(in_batch) == "[2].credits: credits 0 is outside (0, 30]"
    assert (in_seed.code, in_seed.message) == (in_batch.code, in_batch.message)
    assert editing.EditError is RuleError


# ---- both callers, the same rule -----------------------------------------------------------
def _broken_seed(tmp_path: Path, course: str, change: dict[str, Any]) -> list[RuleError]:
    directory = write_tiny_seed(tmp_path / "seed")
    courses = copy.deepcopy(FILES["courses"])
    next(c for c in courses if c["code"] == course).update(change)
    (directory / "courses.yaml").write_text(yaml.safe_dump(courses, allow_unicode=True),
                                            encoding="utf-8")
    with pytest.raises(SeedInvalid) as raised:
        parse_seed(directory)
    return list(raised.value.errors)


async def _edit(store: EmbeddedStore, tmp_path: Path, row: dict[str, Any]) -> list[RuleError]:
    await load_seed(store, write_tiny_seed(tmp_path / "tiny"))
    result = await editing.upsert_courses(store, FW, [row], ACTOR)
    return result.errors


@pytest.mark.parametrize(("change", "code"), [
    ({"teaches": [{"competency": "GEN-A", "proficiency": 3}]}, rules.PROFICIENCY_ABOVE_LEVEL_MAX),
    ({"teaches": [{"competency": "GEN-A", "proficiency": 9}]}, rules.PROFICIENCY_OUT_OF_RANGE),
    ({"teaches": [{"competency": "GEN-NOPE", "proficiency": 1}]}, rules.UNKNOWN_CODE),
    ({"credits": 31}, rules.INVALID_VALUE),
    ({"kind": "optional"}, rules.INVALID_VALUE),
    ({"requires": ["CZ-A"]}, rules.PREREQUISITE_CYCLE),
])
async def test_seed_and_editing_refuse_alike(store: EmbeddedStore, tmp_path: Path,
                                             change: dict[str, Any], code: str) -> None:
    seed_errors = _broken_seed(tmp_path, "CZ-A", change)
    edit_errors = await _edit(store, tmp_path, {"code": "CZ-A", **change})
    assert [e.code for e in seed_errors] == [code], seed_errors
    assert [e.code for e in edit_errors] == [code], edit_errors
    seed_error, edit_error = seed_errors[0], edit_errors[0]
    # the rule's own words in both: the seed may say which link, the edit adds the version
    core = edit_error.message.removesuffix(f" in {FW}")
    core = core.split("refers to ", 1)[-1]
    assert core in seed_error.message, (seed_error.message, edit_error.message)
    assert seed_error.file == "courses.yaml" and seed_error.entry == 1 and seed_error.line
    assert edit_error.index == 0 and edit_error.field and not edit_error.file
