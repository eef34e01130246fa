"""Framework workbooks: export → import → export is the same workbook cell for cell and the
same graph; a broken workbook is refused whole with sheet, row and column."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from graph.dump import SHARED_LABELS, VERSIONED_LABELS, dump_version
from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from seed import validate
from seed.kinds import KINDS
from service.exchange.frameworks import (
    FrameworkNotDraft,
    import_framework_content,
    version_entries,
)
from service.exchange.workbook import WorkbookInvalid, read_workbook, workbook_bytes
from tests.learner_data import FW

# What a version's graph holds besides content: when and how it was made.
BOOKKEEPING = {"createdAt", "publishedAt", "deprecatedAt", "updatedAt", "status", "contentHash"}


def cells(data: bytes) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {name: [list(row) for row in book[name].iter_rows(values_only=True)]
            for name in book.sheetnames}


async def graph_snapshot(store: GraphStore, fw: str) -> dict[str, Any]:
    """Every node, edge and property of version ``fw`` (and the shared nodes)."""
    dump = await dump_version(store, fw)
    assert dump is not None
    return {
        "framework": {k: v for k, v in dump.framework.items() if k not in BOOKKEEPING},
        "nodes": {label: sorted(map(repr, dump.nodes[label])) for label in dump.nodes},
        "edges": {label: sorted(map(repr, dump.edges[label])) for label in dump.edges},
    }


def test_every_seed_kind_has_sheets_and_a_graph_label() -> None:
    assert [k.name for k in KINDS] == list(validate.KINDS)
    labels = {k.label for k in KINDS if k.label}
    assert labels <= set(VERSIONED_LABELS) | set(SHARED_LABELS)


async def test_workbook_round_trip_is_lossless(seeded_store: EmbeddedStore,
                                               store: EmbeddedStore) -> None:
    entries = await version_entries(seeded_store, FW)
    exported = workbook_bytes(entries)
    sheets = cells(exported)
    assert len(sheets["能力 competencies"]) == 1 + len(entries["competencies"])
    assert sheets["能力 competencies"][0][:3] == ["代码 code", "层面 layer", "贯穿线 strands"]
    outcome = await import_framework_content(store, read_workbook(exported))
    assert outcome.status == "created"
    again = workbook_bytes(await version_entries(store, FW))
    assert cells(again) == sheets
    assert await graph_snapshot(store, FW) == await graph_snapshot(seeded_store, FW)
    status = (await dump_version(store, FW))
    assert status is not None and status.framework["status"] == "draft"


def _broken(exported: bytes, edits: dict[str, dict[str, Any]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(exported))
    for sheet, changes in edits.items():
        for cell, value in changes.items():
            book[sheet][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_a_broken_workbook_names_sheet_row_column_and_writes_nothing(
        seeded_store: EmbeddedStore, store: EmbeddedStore) -> None:
    exported = workbook_bytes(await version_entries(seeded_store, FW))
    bad = _broken(exported, {"能力 competencies": {"F3": None, "J4": "GEN-99"},
                             "层次要求 competencies.requirements": {"C2": 7},
                             "课程 courses": {"H2": "two"}})
    with pytest.raises(WorkbookInvalid) as refused:
        read_workbook(bad)
    assert [str(p) for p in refused.value.problems] == [
        "课程 courses:2 [H hours]: hours must be a whole number, not 'two'"]
    bad = _broken(exported, {"能力 competencies": {"F3": None, "J4": "GEN-01, GEN-99"},
                             "层次要求 competencies.requirements": {"C2": 7}})
    with pytest.raises(WorkbookInvalid) as refused:
        read_workbook(bad)
    shown = [str(p) for p in refused.value.problems]
    assert "能力 competencies:3 [F nameZh]: missing nameZh" in shown
    assert ("能力 competencies:4 [J requires]: requires refers to unknown competency code "
            "'GEN-99'") in shown
    assert any(s.startswith("层次要求 competencies.requirements:2 [C proficiency]: "
                            "proficiency 7 is outside 1..4") for s in shown)
    assert await dump_version(store, FW) is None


async def test_unknown_sheets_and_columns_are_refused(seeded_store: EmbeddedStore) -> None:
    exported = workbook_bytes(await version_entries(seeded_store, FW))
    book = openpyxl.load_workbook(io.BytesIO(exported))
    book.create_sheet("草稿")
    book["课程 courses"]["P1"] = "备注"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(WorkbookInvalid) as refused:
        read_workbook(buffer.getvalue())
    shown = [str(p) for p in refused.value.problems]
    assert shown[0].startswith("草稿: unknown sheet; expected one of 框架 framework, 层次 levels")
    assert shown[1].startswith("课程 courses:1 [P]: unknown column '备注'")


async def test_imports_go_into_drafts(seeded_store: EmbeddedStore, store: EmbeddedStore) -> None:
    exported = workbook_bytes(await version_entries(seeded_store, FW))
    with pytest.raises(FrameworkNotDraft, match=r"AIL@2025\.1 exists and is published"):
        await import_framework_content(seeded_store, read_workbook(exported))
    content = read_workbook(exported, version="2026.1")
    assert content.uid == "AIL@2026.1" and content.props["status"] == "draft"
    assert (await import_framework_content(store, content)).status == "created"
    assert (await import_framework_content(store, content)).status == "unchanged"
