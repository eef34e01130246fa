"""The seed validator and loader: every rule refuses with file, entry, line and reason,
a refused seed writes nothing, and loading twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from seed import FrozenFrameworkError, SeedInvalid, find_cycle, load_seed, parse_seed

COUNT_NODES = Cypher("MATCH (n) RETURN count(n) AS n")
COUNT_EDGES = Cypher("MATCH ()-[r]->() RETURN count(r) AS n")
SNAPSHOT = Cypher(
    "MATCH (n) WHERE n.uid IS NOT NULL RETURN n.uid AS uid, properties(n) AS props ORDER BY uid"
)


def edit(seed_dir: Path, file: str, change: Callable[[Any], None]) -> None:
    path = seed_dir / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def entry(data: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(item for item in data if item.get("code") == code)


def errors_of(seed_dir: Path) -> list[str]:
    with pytest.raises(SeedInvalid) as raised:
        parse_seed(seed_dir)
    return [str(error) for error in raised.value.errors]


def test_reference_seed_is_valid() -> None:
    content = parse_seed()
    assert content.uid == "AIL@2025.1"
    assert len(content.rows["competencies"]) >= 20


def test_missing_english_name_is_refused_with_file_entry_and_line(seed_copy: Path) -> None:
    edit(seed_copy, "competencies-general.yaml", lambda d: d[2].pop("nameEn"))
    errors = errors_of(seed_copy)
    assert len(errors) == 1
    assert errors[0].startswith("competencies-general.yaml:")
    assert "(entry 3): missing nameEn" in errors[0]


def test_missing_source_is_refused(seed_copy: Path) -> None:
    edit(seed_copy, "levels.yaml", lambda d: d[0].pop("source"))
    assert any("levels.yaml" in e and "missing source" in e for e in errors_of(seed_copy))


def test_competency_without_requirement_is_refused(seed_copy: Path) -> None:
    edit(seed_copy, "competencies-general.yaml", lambda d: d[0].update(requirements={}))
    assert any("needs a requirement" in e for e in errors_of(seed_copy))


def test_proficiency_above_the_level_range_is_refused(seed_copy: Path) -> None:
    def raise_zz(data: list[dict[str, Any]]) -> None:
        data[0]["requirements"]["ZZ"]["proficiency"] = 3
        data[0]["requirements"]["ZZ"].pop("source", None)
        data[0]["source"] = "004 指引 二(一)"

    edit(seed_copy, "competencies-general.yaml", raise_zz)
    assert any("exceeds level ZZ's maximum 2" in e for e in errors_of(seed_copy))


def test_proficiency_above_range_is_allowed_when_design_says_why(seed_copy: Path) -> None:
    def raise_zz(data: list[dict[str, Any]]) -> None:
        # A ZZ-only competency, so the raised target still rises and its verb fits level 3.
        zz = data[0]["requirements"]["ZZ"]
        zz.update(proficiency=3, source="design: pilot track aims higher",
                  descriptorZh="能为班级学习任务设计人工智能辅助方案。")
        data[0]["requirements"] = {"ZZ": zz}

    def retarget_items(data: list[dict[str, Any]]) -> None:
        for item in data:
            if item["code"].startswith("SI-GEN-01-ZZ"):
                item["proficiency"] = 3

    edit(seed_copy, "competencies-general.yaml", raise_zz)
    edit(seed_copy, "items.yaml", retarget_items)
    parse_seed(seed_copy)


def test_prerequisite_cycle_is_refused_and_named(seed_copy: Path) -> None:
    def make_cycle(data: list[dict[str, Any]]) -> None:
        data[0]["requires"] = [data[1]["code"]]
        data[1]["requires"] = [data[0]["code"]]

    edit(seed_copy, "competencies-general.yaml", make_cycle)
    cycles = [e for e in errors_of(seed_copy) if "prerequisite cycle" in e]
    assert cycles and "GEN-01 → GEN-02 → GEN-01" in cycles[0]


def test_course_teaching_unknown_competency_is_refused(seed_copy: Path) -> None:
    edit(seed_copy, "courses-general.yaml",
         lambda d: d[0]["teaches"].append({"competency": "GEN-NOPE", "proficiency": 1}))
    assert any("unknown competency code 'GEN-NOPE'" in e for e in errors_of(seed_copy))


def test_program_requirement_no_course_teaches_is_refused(seed_copy: Path) -> None:
    programs = yaml.safe_load((seed_copy / "programs.yaml").read_text(encoding="utf-8"))
    program = programs[0]
    general_courses = [c["course"] for c in program["courses"] if "-GEN-" in c["course"]]

    def drop_general(data: list[dict[str, Any]]) -> None:
        data[0]["courses"] = [c for c in data[0]["courses"] if c["course"] not in general_courses]

    edit(seed_copy, "programs.yaml", drop_general)
    assert any("programs.yaml" in e and "is taught by no course in the program" in e
               for e in errors_of(seed_copy))


def test_duplicate_code_is_refused(seed_copy: Path) -> None:
    edit(seed_copy, "levels.yaml", lambda d: d.append(dict(d[0])))
    assert any("duplicate levels code 'ZZ'" in e for e in errors_of(seed_copy))


def test_every_error_is_reported_at_once(seed_copy: Path) -> None:
    edit(seed_copy, "levels.yaml", lambda d: d[0].pop("nameZh"))
    edit(seed_copy, "layers.yaml", lambda d: d[0].pop("nameEn"))
    assert len(errors_of(seed_copy)) == 2


def test_find_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


async def test_loading_twice_changes_nothing(store: EmbeddedStore) -> None:
    first = await load_seed(store)
    nodes = await store.read(COUNT_NODES)
    edges = await store.read(COUNT_EDGES)
    snapshot = await store.read(SNAPSHOT)
    second = await load_seed(store)
    assert (first.status, second.status) == ("created", "unchanged")
    assert await store.read(COUNT_NODES) == nodes
    assert await store.read(COUNT_EDGES) == edges
    assert await store.read(SNAPSHOT) == snapshot


async def test_bad_seed_writes_nothing(store: EmbeddedStore, seed_copy: Path) -> None:
    await load_seed(store)
    before = await store.read(SNAPSHOT)
    edit(seed_copy, "competencies-general.yaml", lambda d: d[5].update(nameZh=""))
    with pytest.raises(SeedInvalid):
        await load_seed(store, seed_copy)
    assert await store.read(SNAPSHOT) == before


async def test_published_version_is_frozen(store: EmbeddedStore, seed_copy: Path) -> None:
    await load_seed(store)
    edit(seed_copy, "competencies-general.yaml", lambda d: d[0].update(nameEn="Changed"))
    with pytest.raises(FrozenFrameworkError, match="new version"):
        await load_seed(store, seed_copy)


async def test_a_draft_reloads_whole_so_removed_links_disappear(
        store: EmbeddedStore, seed_copy: Path) -> None:
    edit(seed_copy, "framework.yaml", lambda d: d.update(status="draft", version="2099.0"))
    await load_seed(store, seed_copy)
    edit(seed_copy, "competencies-general.yaml", lambda d: d[1].update(requires=[]))
    outcome = await load_seed(store, seed_copy)
    assert outcome.status == "replaced"
    rows = await store.read(Cypher(
        "MATCH (c:Competency {uid: $uid})-[:REQUIRES]->(p) RETURN count(p) AS n"),
        {"uid": "AIL@2099.0|GEN-02"})
    assert rows == [{"n": 0}]
