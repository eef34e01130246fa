"""The framework's rules, in one home: the seed validator (``seed/validate.py``) and the
editing mutations (``graph/editing/``) both ask these functions, so a rule reads the same
and is refused with the same code wherever it is broken.

Each rule takes plain values (no files, no store) and returns a ``RuleError`` or None; the
caller adds where the value came from with ``RuleError.at`` — a seed file's entry and line,
or a mutation batch's row and input path. The content rules of the reference framework's
text (descriptor verbs, citations, rising targets) are apart, in ``seed/rules.py``: only
the seed and its report check those.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.dag import find_cycle

__all__ = [
    "ASSESSMENT_KINDS",
    "CODE",
    "COURSE_KINDS",
    "DUPLICATE_CODE",
    "INVALID_CODE",
    "INVALID_VALUE",
    "MISSING_FIELD",
    "NOUNS",
    "PREREQUISITE_CYCLE",
    "PROFICIENCIES",
    "PROFICIENCY_ABOVE_LEVEL_MAX",
    "PROFICIENCY_OUT_OF_RANGE",
    "UNKNOWN_CODE",
    "RuleError",
    "anchor_error",
    "code_error",
    "cycle_error",
    "flag_error",
    "is_design",
    "major_level_error",
    "number_error",
    "one_of_error",
    "proficiency_error",
    "progression_error",
    "self_requirement_error",
    "unknown_code_error",
]

# Stable codes (the API's ``UserError.code``; the seed validator's errors carry them too).
DUPLICATE_CODE = "DUPLICATE_CODE"
INVALID_CODE = "INVALID_CODE"
UNKNOWN_CODE = "UNKNOWN_CODE"
MISSING_FIELD = "MISSING_FIELD"
INVALID_VALUE = "INVALID_VALUE"
PROFICIENCY_OUT_OF_RANGE = "PROFICIENCY_OUT_OF_RANGE"
PROFICIENCY_ABOVE_LEVEL_MAX = "PROFICIENCY_ABOVE_LEVEL_MAX"
PREREQUISITE_CYCLE = "PREREQUISITE_CYCLE"

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
PROFICIENCIES = {1: "了解", 2: "运用", 3: "设计", 4: "创新"}  # the 1–4 scale of proficiency
COURSE_KINDS = ("required", "elective")
ASSESSMENT_KINDS = ("written", "practical", "project", "portfolio")
# What one element of a kind is called in a message, by graph label and by seed file kind.
NOUNS = {
    **{label: label.lower() for label in ("Level", "Layer", "Strand", "College", "Industry",
                                           "Major", "Competency", "Course", "Assessment",
                                           "Program")},
    "JobRole": "job role",
    "levels": "level", "layers": "layer", "strands": "strand", "colleges": "college",
    "industries": "industry", "majors": "major", "competencies": "competency",
    "courses": "course", "assessments": "assessment", "certifications": "certification",
    "jobs": "job role", "programs": "program", "teachers": "teacher tier",
}
_SCALE = " · ".join(f"{value} {name}" for value, name in PROFICIENCIES.items())


@dataclass(frozen=True, slots=True)
class RuleError:
    """A broken rule: a stable ``code``, a ``message`` saying what to change, and where.

    Where is one of two shapes, as the input came: a mutation batch's row ``index`` (from 0,
    like the GraphQL list) and ``field`` (the input path, ``teaches[0].proficiency``), or a
    seed ``file``, its ``entry`` (from 1, as a designer counts) and ``line``.
    """

    code: str
    message: str
    index: int | None = None
    field: str | None = None
    file: str = ""
    entry: int = 0
    line: int = 0

    def at(self, **where: Any) -> RuleError:
        """This error, located (``index``/``field`` or ``file``/``entry``/``line``)."""
        return dataclasses.replace(self, **where)

    def about(self, what: str) -> RuleError:
        """This error with ``what`` it is about in front of the message."""
        return dataclasses.replace(self, message=f"{what}: {self.message}")

    def __str__(self) -> str:
        if self.file:
            where = f"{self.file}:{self.line}" if self.line else self.file
            entry = f" (entry {self.entry})" if self.entry else ""
            return f"{where}{entry}: {self.message}"
        if self.index is not None or self.field:
            row = f"[{self.index}]" if self.index is not None else ""
            return f"{row}{'.' + self.field if self.field else ''}: {self.message}"
        return self.message


def is_design(source: object) -> bool:
    """The design exemption: a source starting ``design`` says why a rule is bent (a target
    above the level's maximum, for one) and is then allowed."""
    return isinstance(source, str) and source.strip().lower().startswith("design")


def code_error(code: object) -> RuleError | None:
    """Element codes are upper-case letters, digits and '-' (they end up in uids and URLs)."""
    if isinstance(code, str) and CODE.match(code):
        return None
    return RuleError(INVALID_CODE, f"code {code!r} must be upper-case letters, digits and '-'")


def proficiency_error(value: object, level: str | None, level_max: Mapping[str, int], *,
                      design: bool = False) -> RuleError | None:
    """A proficiency is 1–4, and within its level's maximum unless ``design`` says why.

    ``level_max`` maps level codes to their maximum proficiency; an unknown or missing
    ``level`` checks the range only (the unknown level is refused by its own rule).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return RuleError(PROFICIENCY_OUT_OF_RANGE, f"proficiency must be a whole number in "
                         f"1..4 ({_SCALE}), got {value!r}")
    if value not in PROFICIENCIES:
        return RuleError(PROFICIENCY_OUT_OF_RANGE,
                         f"proficiency {value} is outside 1..4 ({_SCALE})")
    top = level_max.get(level) if level is not None else None
    if top is not None and value > top and not design:
        return RuleError(PROFICIENCY_ABOVE_LEVEL_MAX, f"proficiency {value} exceeds level "
                         f"{level}'s maximum {top} (allowed only with a source starting "
                         "'design' that says why)")
    return None


def unknown_code_error(code: object, known: Collection[str], kind: str, field: str, *,
                       scope: str | None = None) -> RuleError | None:
    """``code`` must name an existing element of ``kind`` (a label or a seed file kind)."""
    if isinstance(code, str) and code in known:
        return None
    noun = NOUNS.get(kind, kind)
    return RuleError(UNKNOWN_CODE, f"{field} refers to unknown {noun} code {code!r}"
                     + (f" in {scope}" if scope else ""), field=field)


def self_requirement_error(code: str) -> RuleError:
    """An element listed among its own prerequisites: the shortest cycle there is."""
    return RuleError(PREREQUISITE_CYCLE, f"{code} cannot require itself: {code} → {code}")


def cycle_error(graph: Mapping[str, Sequence[str]], what: str,
                order: Mapping[str, int]) -> tuple[str, RuleError] | None:
    """The first prerequisite cycle of ``graph`` (code → required codes), if any, as the
    code the message starts at and the error ("what: A → B → A").

    The ring starts at its element that comes first in ``order`` (the batch's rows, the
    seed's entries), so the error points at what the designer touched first.
    """
    found = find_cycle(graph)
    if not found:
        return None
    ring = found[:-1]
    start = min(range(len(ring)), key=lambda i: (ring[i] not in order, order.get(ring[i], 0)))
    ring = ring[start:] + ring[:start]
    return ring[0], RuleError(PREREQUISITE_CYCLE, f"{what}: {' → '.join([*ring, ring[0]])}")


def number_error(value: object, field: str, low: float, high: float, *, whole: bool = False,
                 open_low: bool = False) -> RuleError | None:
    """A number within ``low..high`` (``(low, high]`` with ``open_low``); whole if asked."""
    bound = f"({low}, {high}]" if open_low else f"{low}..{high}"
    kind = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "a whole number" if whole else "a number"
        return RuleError(INVALID_VALUE, f"{field} must be {what} in {bound}, got {value!r}",
                         field=field)
    assert isinstance(value, int | float)
    if value > high or (value <= low if open_low else value < low):
        return RuleError(INVALID_VALUE, f"{field} {value} is outside {bound}", field=field)
    return None


def one_of_error(value: object, field: str, allowed: Sequence[str]) -> RuleError | None:
    """A value of a closed set (a course's kind, an assessment's kind)."""
    if value in allowed:
        return None
    return RuleError(INVALID_VALUE, f"{field} must be one of {', '.join(allowed)}, "
                     f"got {value!r}", field=field)


def flag_error(value: object, field: str) -> RuleError | None:
    """A yes/no field is a boolean, not a word or a number that looks like one."""
    if isinstance(value, bool):
        return None
    return RuleError(INVALID_VALUE, f"{field} must be true or false", field=field)


def anchor_error(layer: object, major: object, industry: object) -> RuleError | None:
    """A PRO competency belongs to a major, an IND one to an industry (the layer's scope)."""
    if layer == "PRO" and not major:
        return RuleError(MISSING_FIELD, "a PRO (专业技能) competency needs its major",
                         field="major")
    if layer == "IND" and not industry:
        return RuleError(MISSING_FIELD, "an IND (行业能力) competency needs its industry",
                         field="industry")
    return None


def major_level_error(major: str, level: str, offered: Collection[str]) -> RuleError | None:
    """A program runs its major at a level the major is offered at."""
    if level in offered:
        return None
    return RuleError(INVALID_VALUE, f"major {major} is not offered at level {level}",
                     field="level")


def progression_error(code: str, source_level: str, levels: Collection[str], target: str,
                      level: str, target_levels: Collection[str],
                      rank: Mapping[str, int]) -> RuleError | None:
    """A cross-competency progression (中高本贯通) leads from a level ``code`` has to a level
    ``target`` has, and upwards; ``field`` is ``from`` or ``level``, within the link."""
    if source_level not in levels:
        return RuleError(INVALID_VALUE, f"progressesTo.from {source_level!r}: {code} has no "
                         "requirement at that level", field="from")
    if level not in target_levels:
        return RuleError(INVALID_VALUE, f"progressesTo: {target} has no requirement at "
                         f"{level!r}", field="level")
    if rank.get(level, 0) <= rank.get(source_level, 0):
        return RuleError(INVALID_VALUE, "progressesTo must lead to a higher level",
                         field="level")
    return None
