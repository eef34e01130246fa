"""Seed files read into entries that remember their lines, and the checker that collects
every problem (the framework rules' one error shape, ``graph.rules.RuleError``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph import rules as framework_rules
from graph.rules import RuleError
from seed import evaluation, teaching

__all__ = ["KINDS", "SeedError", "SeedInvalid"]

KINDS = (
    "framework", "levels", "layers", "strands", "industries", "majors", "competencies",
    "courses", "assessments", "certifications", "jobs", "colleges", "programs", "teachers",
    *teaching.TEACHING_KINDS,
    *evaluation.EVALUATION_KINDS,
)


# A problem in the seed: the framework rules' one error shape (``graph.rules``), located by
# ``file``, ``entry`` (1-based position in the file's list; 0 for the file itself) and ``line``.
SeedError = RuleError


class SeedInvalid(ValueError):
    """The seed has errors; ``errors`` lists every one."""

    def __init__(self, errors: list[SeedError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the seed:\n" + "\n".join(map(str, errors)))
        self.errors = errors


# libyaml's parser where PyYAML was built with it: the seed reads ~5x faster (2.9 s → 0.6 s).
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """Keeps the line of every mapping so errors can point at it."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


@dataclass
class _Entry:
    kind: str
    file: str
    index: int
    data: dict[str, Any]

    @property
    def line(self) -> int:
        return int(self.data.get("__line__", 0))

    @property
    def code(self) -> str:
        return str(self.data.get("code", ""))


def _clean(value: Any) -> Any:
    """Drop the line markers before hashing or writing."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


class _Checker:
    def __init__(self) -> None:
        self.errors: list[SeedError] = []

    def error(self, entry: _Entry | None, message: str, *, file: str = "",
              line: int = 0, code: str = framework_rules.INVALID_VALUE) -> None:
        self.refuse(entry, RuleError(code, message), file=file, line=line)

    def refuse(self, entry: _Entry | None, error: RuleError | None, *, file: str = "",
               line: int = 0) -> bool:
        """Record a broken rule (``graph.rules``) at ``entry``; True if there was one."""
        if error is None:
            return False
        if entry is None:
            self.errors.append(error.at(file=file, entry=0, line=line))
        else:
            self.errors.append(error.at(file=entry.file, entry=entry.index,
                                        line=line or entry.line))
        return True


def _read_files(seed_dir: Path, check: _Checker) -> dict[str, list[_Entry]]:
    entries: dict[str, list[_Entry]] = defaultdict(list)
    if not seed_dir.is_dir():
        check.error(None, "seed directory does not exist", file=str(seed_dir))
        return entries
    for path in sorted(seed_dir.glob("*.yaml")):
        kind = path.stem.split("-", 1)[0]
        name = path.name
        if kind not in KINDS:
            check.error(None, f"unknown seed file kind {kind!r}; expected one of {KINDS}",
                        file=name)
            continue
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            check.error(None, f"not valid YAML: {exc}", file=name,
                        line=(mark.line + 1) if mark else 0)
            continue
        if kind == "framework":
            if not isinstance(data, dict):
                check.error(None, "framework.yaml must be a mapping", file=name)
                continue
            entries[kind].append(_Entry(kind, name, 1, data))
            continue
        if data is None:
            continue
        if not isinstance(data, list):
            check.error(None, "the file must be a YAML list of entries", file=name)
            continue
        for index, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                check.error(None, f"entry {index} is not a mapping", file=name)
                continue
            entries[kind].append(_Entry(kind, name, index, item))
    return entries


def _clean_keys(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in mapping.items() if k != "__line__"]
