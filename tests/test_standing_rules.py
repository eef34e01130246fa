"""The report's shortcuts against the rules: over random program scopes and random evidence,
``report_of`` (a cached blank report per scope, readiness and placement from the scope's
precomputed totals and the student's evidence only) equals the rules applied to every
standing (``standing.readiness``, ``standing.placement``) and the standings themselves."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.ids import LEVEL_ORDER
from graph.scope import encode_scope
from graph.standing import LAYERS, Standing, placement, readiness, report_of

CODES = [f"{layer}-{n:02d}" for layer in (*LAYERS, "XYZ") for n in range(1, 7)]
requirement = st.one_of(st.none(), st.integers(0, 5))
scope_rows = st.lists(
    st.tuples(st.sampled_from(CODES), st.booleans(), st.integers(0, 5), requirement,
              requirement, requirement), unique_by=lambda row: row[0], max_size=14)
evidence = st.lists(st.tuples(st.sampled_from(CODES), st.one_of(st.none(), st.integers(0, 5)),
                              st.sampled_from(["assessment", "certification", None])),
                    max_size=10)


def _layer(code: str) -> str:
    return code.split("-", 1)[0]


def _expected(scope: list[Any], attained: list[Any]) -> list[Standing]:
    """The rule as written: every in-scope competency with what the student attained of it
    (the last row per competency), the attained ones outside the scope, by code."""
    have = {row[0]: row for row in attained}
    out = []
    for code, eth, required, *levels in scope:
        row = have.pop(f"u-{code}", None)
        value = int(row[4] or 0) if row else 0
        out.append(Standing(f"u-{code}", code, _layer(code), eth, required, value, True,
                            row[5] if row else None, row[6] if row else None,
                            row[7] if row else None,
                            {lv: v for lv, v in zip(LEVEL_ORDER, levels, strict=True)
                             if v is not None}))
    for uid, code, layer, eth, value, kind, code_of, at in have.values():
        out.append(Standing(uid, code, layer, bool(eth), 0, int(value or 0), False, kind,
                            code_of, at, {}))
    return sorted(out, key=lambda s: s.code)


@settings(max_examples=300, deadline=None)
@given(scope_rows, evidence, st.booleans())
def test_the_report_follows_the_rules(scope: list[Any], given_evidence: list[Any],
                                      enrolled: bool) -> None:
    text = encode_scope([f"u-{code}", code, _layer(code), eth, required, *levels]
                        for code, eth, required, *levels in scope) if enrolled else None
    attained = [[f"u-{code}", code, _layer(code), code.endswith(("1", "2")), value, kind,
                 f"E-{code}" if kind else None, "2025-01-05" if kind else None]
                for code, value, kind in given_evidence]
    attained.append([None] * 8)  # what OPTIONAL MATCH collects for no STANDS edge
    report = report_of({"uid": "s"}, {"scope": text, "attained": attained})
    expected = _expected(scope if enrolled else [], attained[:-1])
    assert report.standings == expected
    assert report.readiness == readiness(expected)
    assert report.placement == placement(expected)
    again = report_of({"uid": "s"}, {"scope": text, "attained": attained})  # cached blank
    assert again.standings == expected and again.placement == report.placement
