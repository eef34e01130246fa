"""A tiny draft framework for the curriculum tests: small enough that a program built on it
shows exactly the defect a test gives it and nothing else.

GEN-A ← GEN-B ← PRO-T-1 (prerequisites); GEN-Z is asked at ZZ only. Courses per level teach
them at the level's target; C-B requires C-A and C-P requires C-B. A GZ program of
C-A (semester 1), C-B (2), C-P (3) is clean: every check passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SRC = "test fixture (tests/curriculum_data.py)"
FW = "TST@1"
CLEAN_GZ = [{"course": "C-A", "semester": 1}, {"course": "C-B", "semester": 2},
            {"course": "C-P", "semester": 3}]


def _named(code: str, **fields: Any) -> dict[str, Any]:
    return {"code": code, "nameZh": f"{code} 名称", "nameEn": f"{code} name", "source": SRC,
            **fields}


# A descriptor carries a verb of its proficiency (seed.rules.VERBS), as the validator asks.
_VERB = {1: "了解", 2: "运用", 3: "设计", 4: "构建"}


def _requirements(**levels: int) -> dict[str, Any]:
    return {level: {"proficiency": value, "descriptorZh": f"{level} 能{_VERB[value]}",
                    "descriptorEn": f"{level} descriptor"} for level, value in levels.items()}


def _course(code: str, level: str, layer: str, teaches: dict[str, int],
            requires: list[str] | None = None, credits: float = 2) -> dict[str, Any]:
    return _named(code, level=level, layer=layer, kind="required", credits=credits, hours=36,
                  teaches=[{"competency": c, "proficiency": p} for c, p in teaches.items()],
                  requires=requires or [])


def _assessment(code: str, level: str, measures: dict[str, int]) -> dict[str, Any]:
    return _named(code, level=level, kind="written", maxScore=100,
                  measures=[{"competency": c, "proficiency": p, "weight": 0.5}
                            for c, p in measures.items()])


FILES: dict[str, Any] = {
    "framework": {**_named("TST"), "version": "1", "status": "draft"},
    "levels": [_named("ZZ", rank=1, maxProficiency=2), _named("GZ", rank=2, maxProficiency=3),
               _named("BK", rank=3, maxProficiency=4)],
    "layers": [_named("GEN", order=1), _named("PRO", order=2), _named("IND", order=3)],
    "strands": [_named("ETH")],
    "industries": [_named("IT")],
    "majors": [_named("M-T", industry="IT", levels=["ZZ", "GZ", "BK"])],
    "colleges": [_named("COL-T")],
    "competencies": [
        _named("GEN-A", layer="GEN", kind="knowledge",
               requirements=_requirements(ZZ=1, GZ=2, BK=3)),
        _named("GEN-B", layer="GEN", kind="skill", requires=["GEN-A"],
               requirements=_requirements(ZZ=2, GZ=3, BK=4)),
        _named("GEN-Z", layer="GEN", kind="knowledge", requirements=_requirements(ZZ=1)),
        _named("PRO-T-1", layer="PRO", kind="skill", major="M-T", requires=["GEN-B"],
               requirements=_requirements(GZ=2, BK=3)),
    ],
    "courses": [
        _course("CZ-A", "ZZ", "GEN", {"GEN-A": 1, "GEN-Z": 1}),
        _course("CZ-B", "ZZ", "GEN", {"GEN-B": 2}, ["CZ-A"]),
        _course("C-A", "GZ", "GEN", {"GEN-A": 2}, credits=2),
        _course("C-B", "GZ", "GEN", {"GEN-B": 3}, ["C-A"], credits=3),
        _course("C-P", "GZ", "PRO", {"PRO-T-1": 2}, ["C-B"], credits=4),
        _course("CB-A", "BK", "GEN", {"GEN-A": 3}),
        _course("CB-B", "BK", "GEN", {"GEN-B": 4}, ["CB-A"]),
        _course("CB-P", "BK", "PRO", {"PRO-T-1": 3}, ["CB-B"]),
    ],
    "assessments": [
        _assessment("A-ZZ", "ZZ", {"GEN-A": 1, "GEN-B": 2, "GEN-Z": 1}),
        _assessment("A-GZ", "GZ", {"GEN-A": 2, "GEN-B": 3, "PRO-T-1": 2}),
        _assessment("A-BK", "BK", {"GEN-A": 3, "GEN-B": 4, "PRO-T-1": 3}),
    ],
}


def write_tiny_seed(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for kind, data in FILES.items():
        (directory / f"{kind}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


def program(code: str, level: str, courses: list[dict[str, Any]],
            **fields: Any) -> dict[str, Any]:
    """A ProgramInput for the tiny framework's college and major."""
    return {"code": code, "college": "COL-T", "major": "M-T", "level": level,
            "nameZh": f"{code} 方案", "nameEn": f"{code} programme", "source": SRC,
            "courses": courses, **fields}
