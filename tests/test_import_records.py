"""Demand records, teachers and teacher evidence import from the files colleges and partners
have (GBK CSV with Chinese headers and Excel dates, .xlsx), through the import machinery:
validated whole, bad rows named by line, nothing written; templates carry a valid sample."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from graph import demand, teachers
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from seed import load_seed
from service import cli
from service.exchange.sheets import template_bytes
from service.import_kinds import IMPORT_KINDS
from service.importer import COLUMNS, ImportFailed, import_csv, open_import

AUDIT = Cypher("MATCH (a:AuditEntry {mutation: 'recordDemand'}) RETURN a.subject AS subject, "
               "a.fw AS fw")
DEMAND_HEADER = ["岗位", "能力", "熟练度", "重要性", "来源类型", "来源", "地区", "调研日期"]


def write_csv(path: Path, header: list[str], rows: list[list[Any]],
              encoding: str = "gbk") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def _import(store: EmbeddedStore, kind: str, path: Path, tmp_path: Path) -> int:
    report = await import_csv(store, kind, path, checkpoint_dir=tmp_path / f"cp-{kind}",
                              progress=None, batch_size=2)
    return report.written


async def test_demand_teachers_and_evidence_import_from_gbk_and_xlsx(
        store: EmbeddedStore, tmp_path: Path) -> None:
    await load_seed(store)
    rows = [["JOB-IT-02", "IND-IT-05", "运用", 4, "企业", "云帆智能科技有限公司", "云帆市",
             "2024/3/1"],
            ["JOB-IT-02", "IND-IT-05", 3, 5, "行业", "云帆市人工智能产业协会", "云帆市",
             "2025年4月10日"],
            ["JOB-IT-03", "GEN-28", "3", "3", "院校", "云帆职业技术学院", "云帆市",
             "2025-02-01"]]
    path = write_csv(tmp_path / "需求.csv", DEMAND_HEADER, rows)
    assert await _import(store, "demand", path, tmp_path) == 3
    records = await demand.demand_page(store, demand.DemandFilter(job_role="JOB-IT-02"),
                                       None, 10)
    assert [(r["observedOn"], r["proficiency"], r["sourceKind"]) for r in records] == [
        ("2025-04-10", 3, "industry"), ("2024-03-01", 2, "enterprise")]
    audits = await store.read(AUDIT)
    assert audits and all(a["subject"] == "cli-import" and a["fw"] is None for a in audits)
    again = await import_csv(store, "demand", path, checkpoint_dir=tmp_path / "cp-again",
                             progress=None)
    assert again.written == 3 and await demand.demand_count(store, demand.DemandFilter()) == 3

    staff = write_xlsx(tmp_path / "教师.xlsx", ["工号", "学院", "任教学科", "任教课程"],
                       [["T1", "COL-DEMO-GZ", "人工智能技术应用；数据标注",
                         "C-GEN-GZ-01、C-PRO-AI-GZ-01"]])
    assert await _import(store, "teachers", staff, tmp_path) == 1
    record = await teachers.teacher(store, teachers.teacher_uid("COL-DEMO-GZ", "T1"))
    assert record is not None and record["subjects"] == ["人工智能技术应用", "数据标注"]
    assert record["courses"] == ["C-GEN-GZ-01", "C-PRO-AI-GZ-01"]
    proofs = write_csv(tmp_path / "教师证据.csv",
                       ["工号", "学院", "类型", "层面", "名称", "完成日期", "学时", "角色"],
                       [["T1", "COL-DEMO-GZ", "培训", "通识素养", "通识研修", "2024/9/1", "24",
                         ""],
                        ["T1", "COL-DEMO-GZ", "项目", "行业能力", "产线优化", "2025/4/1", "",
                         "负责人"]])
    assert await _import(store, "teacherEvidence", proofs, tmp_path) == 2
    (items,) = await teachers.evidence_of(store, [teachers.teacher_uid("COL-DEMO-GZ", "T1")])
    assert [(e["kind"], e["layer"], e.get("hours"), e.get("role")) for e in items] == [
        ("training", "GEN", 24.0, None), ("project", "IND", None, "lead")]


async def test_bad_demand_rows_are_named_by_line(store: EmbeddedStore, tmp_path: Path) -> None:
    await load_seed(store)
    path = write_csv(tmp_path / "demand.csv", DEMAND_HEADER, [
        ["JOB-IT-02", "IND-IT-05", 2, 4, "企业", "甲公司", "云帆市", "2024-03-01"],
        ["JOB-NOPE", "IND-IT-05", 2, 4, "企业", "甲公司", "云帆市", "2024-03-01"],
        ["JOB-IT-02", "IND-IT-05", 2, 4, "政府", "甲公司", "云帆市", "2024-03-01"],
        ["JOB-IT-02", "IND-IT-05", 2, 4, "企业", "甲公司", "云帆市", "2024-03-01"]])
    with pytest.raises(ImportFailed) as failed:
        await import_csv(store, "demand", path, checkpoint_dir=tmp_path / "cp", progress=None,
                         batch_size=10)
    shown = [str(p) for p in failed.value.problems]
    assert shown[0] == "demand.csv:3: UNKNOWN_JOB_ROLE: no job role JOB-NOPE in any " \
                       "framework version"
    assert shown[1].startswith("demand.csv:4: BAD_SOURCE_KIND: sourceKind '政府'")
    assert shown[2] == ("demand.csv:5: DUPLICATE_ROW: same job role, competency, source, "
                        "region and day as line 2")
    assert await demand.demand_count(store, demand.DemandFilter()) == 0


@pytest.mark.parametrize("kind", sorted(IMPORT_KINDS))
async def test_templates_hold_a_valid_sample(seeded_store: EmbeddedStore, tmp_path: Path,
                                             kind: str) -> None:
    data = template_bytes(kind, "csv")
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    table = open_import(path, kind)
    (row,) = list(table.rows())
    outcome = await IMPORT_KINDS[kind].writer(seeded_store, [row], dry_run=True)
    if kind == "teacherEvidence":  # its teacher is the teachers template's, not yet recorded
        assert [e.code for e in outcome.errors] == ["UNKNOWN_TEACHER"]
    else:
        assert outcome.ok, outcome.errors
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[0].split()[-1] == COLUMNS[kind][0][0]


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_the_cli_offers_every_import_kind(kind: str) -> None:
    assert cli._parser().parse_args(["import", kind, "file.csv"]).kind == kind
    assert cli._parser().parse_args(["template", kind]).kind == kind
