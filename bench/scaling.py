"""``python -m bench.scaling RESULT.json ...``: how each figure grows with the students.

Prints a Markdown table, one column per bench result (sorted by students), for
bench/README.md: ingest, enrolment, the gap query at the store and over HTTP, CPU per request
(service, engine, load generator, floor), cohort and candidates times, with the commit
measured and the machine's load average at the start and end of each run.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

__all__ = ["ROWS", "table"]

# (label, figure key, how to show its value)
ROWS: tuple[tuple[str, str, str], ...] = (
    ("enrolment (students import), students/s", "ingest.students", "{:,.0f}"),
    ("results ingest, rows/s", "ingest.results", "{:,.0f}"),
    ("importer RSS growth, 2nd half of the results import, MiB", "ingest.results.memory",
     "{:.0f}"),
    ("gap at the store, p50 ms", "gap.store.p50", "{:.2f}"),
    ("gap at the store, p95 ms", "gap.store.p95", "{:.2f}"),
    ("gap over HTTP, 4 clients, p50 ms", "gap.http.p50", "{:.1f}"),
    ("gap over HTTP, 4 clients, p95 ms", "gap.http.p95", "{:.1f}"),
    ("gap over HTTP, 4 clients, req/s", "gap.http.rps", "{:,.0f}"),
    ("CPU per gap request, service + engine, ms", "gap.http.cpu", "{:.2f}"),
    ("… of which service, ms", "gap.http.cpu:service", "{:.2f}"),
    ("… of which engine, ms", "gap.http.cpu:engine", "{:.2f}"),
    ("CPU per request, load generator, ms", "gap.http.cpu.client", "{:.3f}"),
    ("floor (fixed answers, same stack): CPU per request, ms", "floor.http.cpu", "{:.3f}"),
    ("floor: req/s", "floor.http.rps", "{:,.0f}"),
    ("service CPU ÷ floor CPU", "gap.http.cpu.ratio", "{:.1f}×"),
    ("answers differing from their reference", "gap.http.identical", "{:,.0f}"),
    ("cohort of all students, s", "cohort.all", "{:.3f}"),
    ("cohort of one college, s", "cohort.college", "{:.3f}"),
    ("candidates, all students, first page, s", "candidates.all", "{:.3f}"),
    ("service start-up, s", "service.start", "{:.1f}"),
)
_SPLIT = re.compile(r"service (?P<service>[\d.]+) ms, \S+ (?P<engine>[\d.]+) ms")


def _value(figures: dict[str, Any], key: str) -> float | None:
    name, _, part = key.partition(":")
    figure = figures.get(name)
    if figure is None:
        return None
    if not part:
        value = figure.get("value")
        return None if value is None else float(value)
    split = figures.get(f"{name}.{part}", {}).get("value")  # since the figures of each part
    if split is not None:
        return float(split)
    found = _SPLIT.search(figure.get("note", ""))
    return float(found[part]) if found else None


def table(results: list[dict[str, Any]]) -> str:
    results = sorted(results, key=lambda r: (r["parameters"].get("backend", "embedded"),
                                             r["parameters"]["students"]))
    head = ["figure", *(f"{r['parameters']['students']:,} students"
                        + (", Neo4j" if r["parameters"].get("backend") == "neo4j" else "")
                        for r in results)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key, shown in ROWS:
        cells = []
        for result in results:
            value = _value(result["figures"], key)
            cells.append("–" if value is None else shown.format(value))
        if any(cell != "–" for cell in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    meta = []
    for result in results:
        load = result["machine"].get("loadAverage", {})
        start, end = load.get("start", [None])[0], load.get("end", [None])[0]
        parameters = result["parameters"]
        meta.append(f"{parameters['students']:,}: commit {result['commit']}"
                    f"{' (dirty)' if result.get('dirty') else ''}, {result['utc']}, "
                    f"{parameters.get('backend', 'embedded')}, {parameters['repeats']} loop(s)"
                    + (f", load average {start:.1f} → {end:.1f}" if start is not None
                       and end is not None else ""))
    return "\n".join(lines) + "\n\n" + "; ".join(meta) + "\n"


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m bench.scaling RESULT.json ...", file=sys.stderr)
        return 2
    print(table([json.loads(path.read_text()) for path in paths]), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
