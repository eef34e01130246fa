"""The teacher competency standard in the seed: each rule refuses with file, entry and
reason, in the validator's one format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seed import parse_seed
from seed.teaching import (
    citation_problem,
    criterion_problem,
    cumulative_problems,
    tier_layers_problem,
)
from tests.test_seed import edit, entry, errors_of


def test_the_reference_standard_covers_every_tier_and_layer() -> None:
    rows = parse_seed().rows["teacherStandards"]
    cells = {(r["props"]["tier"], r["props"]["layer"]) for r in rows}
    assert cells == {(t, layer) for t in ("TT-1", "TT-2", "TT-3") for layer in ("GEN", "PRO",
                                                                                "IND")}
    assert all(r["props"]["source"].startswith("004 指引") for r in rows)


def test_the_rules_one_by_one() -> None:
    assert criterion_problem("training", 24, None, []) is None
    assert criterion_problem("lecture", 24, None, []) is not None
    assert "exactly one threshold" in (criterion_problem("training", 24, 1, []) or "")
    assert "exactly one threshold" in (criterion_problem("training", None, None, []) or "")
    assert "project evidence only" in (criterion_problem("training", 8, None, ["lead"]) or "")
    assert "roles must be among" in (criterion_problem("project", None, 1, ["boss"]) or "")
    assert citation_problem("design: ours") is not None and citation_problem("004 指引 六") is None
    assert tier_layers_problem("TT-1", ["GEN", "PRO"]) == (
        "tier TT-1 has no standard item in layer(s) IND")
    assert cumulative_problems([(1, "A", "GEN", "training:hours:", 24),
                                (2, "B", "GEN", "training:hours:", 16)]) == [
        "B asks 16, less than A of a lower tier (24): tiers are cumulative"]


def test_a_broken_standard_is_refused_with_file_and_entry(seed_copy: Path) -> None:
    def change(data: list[dict[str, Any]]) -> None:
        entry(data, "TS-1-GEN").pop("minHours")
        entry(data, "TS-1-IND")["roles"] = ["lead"]
        entry(data, "TS-2-PRO")["minHours"] = 10
        entry(data, "TS-1-IND")["source"] = "design: our idea"
        entry(data, "TS-3-GEN")["layer"] = "PRO"
        entry(data, "TS-3-IND")["tier"] = "TT-9"

    edit(seed_copy, "teacherStandards.yaml", change)
    errors = errors_of(seed_copy)
    expected = [
        "(entry 1): give exactly one threshold: minHours (total hours) or minCount (pieces)",
        "(entry 3): roles apply to project evidence only",
        "(entry 3): source must cite the 指引",
        "(entry 10): tier refers to unknown teacher tier code 'TT-9'",
        "teachers.yaml:",
        "(entry 5): TS-2-PRO asks 10, less than TS-1-PRO of a lower tier (16): tiers are "
        "cumulative",
    ]
    for fragment in expected:
        assert any(fragment in error for error in errors), (fragment, errors)
    assert any(e.startswith("teachers.yaml:") and "tier TT-3 has no standard item in layer(s) "
               "GEN" in e for e in errors)
    assert all(e.startswith(("teacherStandards.yaml:", "teachers.yaml:")) for e in errors)
