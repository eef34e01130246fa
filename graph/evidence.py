"""The evidence rules (README "规则 · The rules"), one home each, used wherever evidence is
judged (recording, re-deriving attainment):

- the pass test ``score / maxScore ≥ passRatio`` is decided exactly, in decimal arithmetic;
- an enterprise certification (企业认证) is *supplementary* evidence (004 指引 二(二)): it
  counts for at most ``CG_CERTIFICATION_CAP`` (default 2 运用 apply); a higher proficiency
  needs the college's own assessment;
- a certification recorded again keeps the earliest date it was recorded with.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["DEFAULT_CERTIFICATION_CAP", "counted_proficiency", "earliest", "passes"]

DEFAULT_CERTIFICATION_CAP = 2  # 运用 apply: design (3) and beyond need the college's assessment


def _decimal(value: Any) -> Decimal:
    """The decimal a number was written as: text as given, a float by its shortest repr
    (59.99996 stays 59.99996, never 59.999959999999994...)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return Decimal(value.strip())
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(int(value))


def passes(score: Any, max_score: Any, pass_ratio: Any) -> bool:
    """``score / maxScore ≥ passRatio``, exactly: ``score ≥ passRatio × maxScore`` in
    decimal arithmetic, so 59.99996/100 fails a 0.6 pass ratio and 60/100 passes it."""
    try:
        return _decimal(score) >= _decimal(pass_ratio) * _decimal(max_score)
    except InvalidOperation:  # the row checks refuse what is not a finite number first
        return False


def counted_proficiency(kind: str, proficiency: int, certification_cap: int) -> int:
    """What a piece of evidence counts for: a certification at most the cap (supplementary
    evidence), an assessment what its MEASURES edge states."""
    return min(proficiency, certification_cap) if kind == "certification" else proficiency


def earliest(stored: str | None, given: str) -> str:
    """The date a certification keeps when recorded again: the earliest of the two (ISO
    dates and date-times compare in time order as text)."""
    return given if stored is None else min(stored, given)
