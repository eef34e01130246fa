"""``competency-graph report content``: what a committee checks before adopting the seed.

It reads the seed files themselves (not the store), so it also reports a seed the validator
refuses: counts per level × layer, citations by kind, the facts still unverified (listed),
rising-target violations and descriptor-verb mismatches (both must be 0), the indicator
system's coverage, majors per 专业大类, sample items per GEN competency and level, and the
UNESCO AI CFS competencies without a crosswalk link.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seed import rules
from seed.evaluation import SAMPLE_ITEMS_PER_CELL
from seed.validate import DEFAULT_SEED_DIR, SeedInvalid, _Checker, _Entry, _read_files, parse_seed

__all__ = ["ContentReport", "content_report", "format_content_report"]

LEVELS = ("ZZ", "GZ", "BK")
LAYERS = ("GEN", "PRO", "IND")


@dataclass
class ContentReport:
    targets: dict[tuple[str, str], int] = field(default_factory=dict)  # (level, layer) → count
    competencies: dict[str, int] = field(default_factory=dict)  # layer → count
    citations: Counter[str] = field(default_factory=Counter)
    unverified: list[str] = field(default_factory=list)
    rising_violations: list[str] = field(default_factory=list)
    verb_mismatches: list[str] = field(default_factory=list)
    consolidations: list[str] = field(default_factory=list)
    indicator_cells: dict[tuple[str, str], int] = field(default_factory=dict)  # (dim, level)
    majors_by_category: dict[str, list[str]] = field(default_factory=dict)
    sample_item_gaps: list[str] = field(default_factory=list)
    uncrosswalked: list[str] = field(default_factory=list)
    validation_errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        """Everything that must be 0 (unverified facts are listed, not counted)."""
        return (len(self.rising_violations) + len(self.verb_mismatches)
                + len(self.sample_item_gaps) + len(self.uncrosswalked)
                + len(self.validation_errors)
                + sum(1 for n in self.indicator_cells.values() if n == 0))


def _data(entries: list[_Entry]) -> list[dict[str, Any]]:
    return [entry.data for entry in entries]


def content_report(seed_dir: Path = DEFAULT_SEED_DIR) -> ContentReport:
    report = ContentReport()
    check = _Checker()
    files = {kind: _data(entries) for kind, entries in _read_files(seed_dir, check).items()}
    report.validation_errors = [str(error) for error in check.errors]
    if not report.validation_errors:
        try:
            parse_seed(seed_dir)
        except SeedInvalid as exc:
            report.validation_errors = [str(error) for error in exc.errors]
    _competencies(report, files.get("competencies", []))
    for entries in files.values():
        for entry in entries:
            report.citations[rules.citation_kind(entry.get("source"))] += 1
            # where a fact was checked: a catalogue, the 大典 or a certification's publisher
            for key, what in (("occupationSource", "occupation"),
                              ("verificationSource", "certification")):
                if entry.get(key):
                    report.citations[what] += 1
            for offering in entry.get("offerings") or []:
                if isinstance(offering, dict) and offering.get("catalogSource"):
                    report.citations["catalogue"] += 1
    _facts(report, files)
    _indicators(report, files)
    _items(report, files)
    linked = {str(link.get("to")) for link in files.get("crosswalks", [])}
    report.uncrosswalked = sorted(
        str(e.get("code")) for e in files.get("externals", [])
        if e.get("scheme") == "UNESCO-AI-CFS-2024" and e.get("code") not in linked)
    return report


def _competencies(report: ContentReport, competencies: list[dict[str, Any]]) -> None:
    targets: Counter[tuple[str, str]] = Counter()
    layers: Counter[str] = Counter()
    for entry in competencies:
        code, layer = str(entry.get("code")), str(entry.get("layer"))
        layers[layer] += 1
        requirements = entry.get("requirements") or {}
        ordered = []
        for level in LEVELS:
            spec = requirements.get(level)
            if not isinstance(spec, dict):
                continue
            targets[(level, layer)] += 1
            proficiency = int(spec.get("proficiency") or 0)
            consolidation = spec.get("consolidation")
            ordered.append((level, proficiency, consolidation))
            if consolidation:
                report.consolidations.append(f"{code}@{level}: {consolidation}")
            problem = rules.descriptor_verb_problem(str(spec.get("descriptorZh") or ""),
                                                    proficiency)
            if problem:
                report.verb_mismatches.append(f"{code}@{level}: {problem}")
        report.rising_violations += [f"{code}: {problem}"
                                     for problem in rules.rising_target_problems(ordered)]
    report.targets = dict(targets)
    report.competencies = dict(layers)


def _facts(report: ContentReport, files: dict[str, list[dict[str, Any]]]) -> None:
    categories: dict[str, list[str]] = defaultdict(list)
    for major in files.get("majors", []):
        categories[str(major.get("categoryZh"))].append(str(major.get("code")))
        if not major.get("offerings"):
            report.unverified.append(f"major {major.get('code')}: no offerings (专业大类, "
                                     "catalogue codes) given")
        for offering in major.get("offerings") or []:
            if not offering.get("verified"):
                code = offering.get("catalogCode")
                what = f"catalogue code {code} unverified" if code else "no catalogue code found"
                report.unverified.append(f"major {major.get('code')} at {offering.get('level')} "
                                         f"({offering.get('nameZh')}): {what}")
    report.majors_by_category = dict(categories)
    for job in files.get("jobs", []):
        title = job.get("occupationZh")
        if job.get("occupationVerified") or not title:
            continue
        code = job.get("occupationCode")
        report.unverified.append(
            f"job {job.get('code')} ({job.get('nameZh')}): 大典 occupation {title} "
            + (f"code {code} unverified" if code else "code not found"))
    for job in files.get("jobs", []):
        if not job.get("classification"):
            report.unverified.append(f"job {job.get('code')} ({job.get('nameZh')}): not "
                                     "classified against the 大典")
    for cert in files.get("certifications", []):
        if not cert.get("kind"):
            report.unverified.append(f"certification {cert.get('code')}: kind not given")
        if not cert.get("verified"):
            report.unverified.append(f"certification {cert.get('code')} ({cert.get('nameZh')},"
                                     f" {cert.get('kind')}): not found in a public source")


def _indicators(report: ContentReport, files: dict[str, list[dict[str, Any]]]) -> None:
    cells = {(str(d.get("code")), level): 0 for d in files.get("dimensions", [])
             for level in LEVELS}
    for indicator in files.get("indicators", []):
        for behaviour in indicator.get("behaviours") or []:
            key = (str(indicator.get("dimension")), str(behaviour.get("level")))
            if key in cells:
                cells[key] += 1
            problem = rules.descriptor_verb_problem(str(behaviour.get("descriptorZh") or ""),
                                                    int(behaviour.get("proficiency") or 0))
            if problem:
                report.verb_mismatches.append(
                    f"{indicator.get('code')}@{behaviour.get('level')}: {problem}")
    report.indicator_cells = cells


def _items(report: ContentReport, files: dict[str, list[dict[str, Any]]]) -> None:
    level_of = {a.get("code"): a.get("level") for a in files.get("assessments", [])}
    count: Counter[tuple[str, str]] = Counter(
        (str(item.get("competency")), str(level_of.get(item.get("assessment"))))
        for item in files.get("items", []))
    for entry in files.get("competencies", []):
        if entry.get("layer") != "GEN":
            continue
        for level in LEVELS:
            if level in (entry.get("requirements") or {}):
                have = count[(str(entry.get("code")), level)]
                if have < SAMPLE_ITEMS_PER_CELL:
                    report.sample_item_gaps.append(f"{entry.get('code')}@{level}: {have} "
                                                   f"sample item(s)")


def format_content_report(report: ContentReport) -> str:
    lines = ["Targets (requirements) per level × layer:",
             "       " + "".join(f"{layer:>6}" for layer in LAYERS) + "   total"]
    for level in LEVELS:
        row = [report.targets.get((level, layer), 0) for layer in LAYERS]
        lines.append(f"  {level:<5}" + "".join(f"{n:>6}" for n in row) + f"{sum(row):>8}")
    lines.append("Competencies per layer: " + ", ".join(
        f"{layer} {report.competencies.get(layer, 0)}" for layer in LAYERS))
    lines.append("Citations by kind: " + ", ".join(
        f"{kind} {n}" for kind, n in sorted(report.citations.items())))
    lines.append(f"Majors: {sum(map(len, report.majors_by_category.values()))} in "
                 f"{len(report.majors_by_category)} 专业大类")
    for category, majors in sorted(report.majors_by_category.items()):
        lines.append(f"  {category}: {', '.join(majors)}")
    dims = sorted({d for d, _ in report.indicator_cells})
    lines.append("Indicator system: behaviours per dimension × level: " + "; ".join(
        f"{d} " + "/".join(str(report.indicator_cells[(d, lv)]) for lv in LEVELS)
        for d in dims))
    lines.append(f"Consolidations (cited, not violations): {len(report.consolidations)}")
    lines += [f"  {c}" for c in report.consolidations]
    for title, items in (
        ("Rising-target violations", report.rising_violations),
        ("Descriptor-verb mismatches", report.verb_mismatches),
        ("GEN competency × level cells short of sample items", report.sample_item_gaps),
        ("UNESCO AI CFS competencies without a crosswalk link", report.uncrosswalked),
        ("Validation errors", report.validation_errors),
        ("Unverified facts (listed, to check)", report.unverified),
    ):
        lines.append(f"{title}: {len(items)}")
        lines += [f"  {item}" for item in items]
    return "\n".join(lines)


def run(seed_dir: Path = DEFAULT_SEED_DIR) -> int:
    """Print the report; exit status 1 when anything that must be 0 is not."""
    report = content_report(seed_dir)
    print(format_content_report(report))
    return 1 if report.problems else 0
