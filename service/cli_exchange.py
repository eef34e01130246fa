"""CLI commands for data in and out: framework workbooks and CASE packages, import templates,
report exports. Registered from ``service.cli`` with ``add_commands``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.config import Settings

__all__ = ["COMMANDS", "add_commands", "add_import_options", "import_options", "run"]

COMMANDS = ("framework", "template", "export")


def add_import_options(parser: argparse.ArgumentParser) -> None:
    """Options of ``import`` for files as colleges have them."""
    parser.add_argument("--encoding", help="CSV encoding (default: detected; UTF-8 with or "
                                           "without BOM, else GB18030/GBK)")
    parser.add_argument("--sheet", help=".xlsx: the sheet to read (default: the first)")
    parser.add_argument("--delimiter", help="CSV delimiter (default ','; e.g. ';' or tab)")


def import_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"encoding": args.encoding, "sheet": args.sheet, "delimiter": args.delimiter}


def add_commands(commands: Any, store_args: Callable[[argparse.ArgumentParser], None]) -> None:
    framework = commands.add_parser(
        "framework", help="export or import a framework version as .xlsx or CASE 1.1 JSON")
    actions = framework.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write a version as a workbook or CASE package")
    store_args(export)
    export.add_argument("--framework", help="version (default: the latest published)")
    export.add_argument("--format", choices=["xlsx", "case"], default="xlsx")
    export.add_argument("--base-url", default="http://127.0.0.1:8000",
                        help="CASE: where the package's URIs point (the serving host)")
    export.add_argument("-o", "--output", type=Path, required=True)
    into = actions.add_parser("import", help="read a workbook (.xlsx) or CASE package (JSON "
                                             "file or a URL on this machine) into a draft")
    store_args(into)
    into.add_argument("source", help="FILE.xlsx, FILE.json or http://127.0.0.1:…/CFPackages/…")
    into.add_argument("--version", help="the draft's version (default: the file's own)")

    template = commands.add_parser("template", help="write an import template with a sample row")
    template.add_argument("kind", choices=["students", "results", "completions",
                                           "certifications", "demand", "teachers",
                                           "teacherEvidence"])
    template.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    template.add_argument("-o", "--output", type=Path, help="default: KIND-template.FORMAT")

    report = commands.add_parser("export", help="export a report as .xlsx or CSV")
    store_args(report)
    report.add_argument("report", choices=["cohort", "program-report"])
    report.add_argument("--college", help="cohort: the college (required)")
    report.add_argument("--program", help="cohort: one program; program-report: the program")
    report.add_argument("--class-label", help="cohort: one class")
    report.add_argument("--framework", help="version (default: the latest published)")
    report.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    report.add_argument("-o", "--output", type=Path, required=True)


async def _latest(store: Any, framework: str | None) -> str:
    from graph.framework import FrameworkRepository

    if framework is not None:
        return framework
    latest = await FrameworkRepository(store).latest_published()
    if latest is None:
        raise ValueError("no published framework: run `competency-graph load` first")
    return str(latest["uid"])


async def _framework(settings: Settings, args: argparse.Namespace) -> int:
    from service.exchange.case_import import read_case
    from service.exchange.frameworks import (
        case_package,
        import_framework_content,
        version_entries,
    )
    from service.exchange.workbook import read_workbook, workbook_bytes
    from service.store_factory import open_store

    if args.action == "import":  # read and check the file before opening any store
        source = str(args.source)
        content = (read_workbook(Path(source), version=args.version)
                   if source.lower().endswith((".xlsx", ".xlsm"))
                   else read_case(source, version=args.version))
    store = await open_store(settings)
    try:
        if args.action == "import":
            outcome = await import_framework_content(store, content)
            print(f"framework {outcome.uid}: {outcome.status} as a draft "
                  f"({sum(outcome.counts.values())} rows)")
            return 0
        fw = await _latest(store, args.framework)
        if args.format == "case":
            package = await case_package(store, fw, args.base_url)
            args.output.write_text(json.dumps(package, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
        else:
            args.output.write_bytes(workbook_bytes(await version_entries(store, fw)))
    finally:
        await store.close()
    print(f"{fw} written to {args.output}")
    return 0


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    from graph.ids import element_uid
    from service.exchange.reports import cohort_sheets, program_sheets
    from service.exchange.sheets import table_bytes
    from service.store_factory import open_store

    store = await open_store(settings)
    try:
        fw = await _latest(store, args.framework)
        if args.report == "cohort":
            if not args.college:
                raise ValueError("export cohort needs --college")
            sheets = await cohort_sheets(
                store, args.college, class_label=args.class_label,
                program=element_uid(fw, args.program) if args.program else None)
        else:
            if not args.program:
                raise ValueError("export program-report needs --program")
            sheets = await program_sheets(store, fw, args.program)
    finally:
        await store.close()
    args.output.write_bytes(table_bytes(sheets, args.format))
    rows = sum(len(rows) for _, _, rows in sheets)
    print(f"{args.report} written to {args.output} ({rows} rows)")
    return 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run one of ``COMMANDS``; expected failures become one clear message and status 2."""
    from graph.curriculum import ReportError
    from service.exchange.case_import import CaseInvalid
    from service.exchange.sheets import template_bytes
    from service.exchange.workbook import WorkbookInvalid

    try:
        if args.command == "template":
            output = args.output or Path(f"{args.kind}-template.{args.format}")
            output.write_bytes(template_bytes(args.kind, args.format))
            print(f"template written to {output}")
            return 0
        if args.command == "framework":
            return asyncio.run(_framework(settings, args))
        return asyncio.run(_export(settings, args))
    except (WorkbookInvalid, CaseInvalid) as exc:
        print(str(exc), file=sys.stderr)
    except (LookupError, ReportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 2
