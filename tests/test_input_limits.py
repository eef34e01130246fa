"""Input bounds and query limits, checked without a store: every case a typed error."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, parse

from graph import bounds
from schema import build_schema
from schema.inputs import plan_inputs
from schema.limits import QueryLimits, check_limits
from tests.hostile_inputs import hostile_cases

SCHEMA: GraphQLSchema = build_schema()._schema


def _input_errors(query: str, variables: dict | None = None) -> list[str]:  # type: ignore[type-arg]
    document = parse(query)
    operation = document.definitions[0]
    plan = plan_inputs(SCHEMA, document, operation)  # type: ignore[arg-type]
    return [str((e.extensions or {})["code"]) for e in plan.check(variables)]


def test_every_string_and_number_argument_is_bounded() -> None:
    cases = hostile_cases(SCHEMA)
    assert len(cases) > 200  # every root field's arguments, input fields included
    wrong = []
    for case in cases:
        codes = _input_errors(case.query, case.variables)
        if codes != [case.expected_code]:
            wrong.append((case.name, codes))
    assert wrong == []


@pytest.mark.parametrize(("value", "code"), [
    ("S" * 4096, "VALUE_TOO_LONG"),  # this student code killed the engine (issue 9)
    ("  SPX  ", "UNTRIMMED_VALUE"),  # refused here and in student(code:): no silent strip
    ("\u0000x", "INVALID_CHARACTER"),
    ("a\ud800", "INVALID_CHARACTER"),  # a lone surrogate no encoder can write
    ("S\u200b\u0007", "INVALID_CHARACTER"),
])
def test_bad_codes_are_refused_in_literals_and_variables(value: str, code: str) -> None:
    assert _input_errors("query($c: String!) { student(code: $c) { code } }",
                         {"c": value}) == [code]
    if value.isprintable():  # control characters can only be written escaped
        assert _input_errors(f'{{ major(code: "{value}") {{ code }} }}') == [code]


def test_an_escaped_nul_in_a_literal_is_refused() -> None:
    assert _input_errors('{ major(code: "\\u0000x") { code } }') == ["INVALID_CHARACTER"]


def test_dates_must_be_real_dates() -> None:
    row = {"code": "S1", "college": "C", "program": "P", "enrolledOn": "2024-02-30"}
    query = "mutation($rows: [StudentInput!]!) { recordStudents(rows: $rows) { written } }"
    assert _input_errors(query, {"rows": [row]}) == ["INVALID_DATE"]
    assert _input_errors(query, {"rows": [{**row, "enrolledOn": "2024-02-29"}]}) == []


def test_huge_lists_are_refused() -> None:
    query = "mutation($rows: [StudentInput!]!) { recordStudents(rows: $rows) { written } }"
    rows = [{"code": f"S{i}", "college": "C", "program": "P", "enrolledOn": "2024-09-01"}
            for i in range(10_001)]
    assert _input_errors(query, {"rows": rows}) == ["LIST_TOO_LONG"]
    assert _input_errors('{ pathwayReport(programs: [' + '"P",' * 1001 + ']) '
                         '{ framework } }') == ["LIST_TOO_LONG"]


def test_text_kinds_allow_prose_but_not_control_characters() -> None:
    prose = bounds.KINDS["descriptor"]
    bounds.check_text(prose, "第一行\n第二行\t（制表）")
    with pytest.raises(bounds.BoundViolation):
        bounds.check_text(prose, "bell\u0007")
    with pytest.raises(bounds.BoundViolation):
        bounds.check_key("k" * (bounds.KEY_BYTES_MAX + 1))


def _limit_codes(query: str, limits: QueryLimits | None = None) -> list[str]:
    errors = check_limits(SCHEMA, parse(query), limits or QueryLimits())
    return [str((e.extensions or {})["code"]) for e in errors]


def test_a_fragment_bomb_is_costed_once_per_fragment() -> None:
    # 40 fragments each spreading the next twice: 2**40 visits if expanded
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} "
                        for i in range(40))
    query = "{ ...F0 } " + fragments + "fragment F40 on Query { levels { code } }"
    assert _limit_codes(query)[0] == "QUERY_TOO_COSTLY"


def test_depth_aliases_and_repeated_fields_have_codes() -> None:
    nested = "code"
    for _ in range(14):
        nested = f"prerequisites {{ {nested} }}"
    assert "QUERY_TOO_DEEP" in _limit_codes(f'{{ competency(code: "GEN-01") {{ {nested} }} }}')
    aliases = " ".join(f"a{i}: levels {{ code }}" for i in range(1000))
    assert "TOO_MANY_ALIASES" in _limit_codes(f"{{ {aliases} }}")
    repeated = " ".join("levels { code }" for _ in range(1000))
    assert _limit_codes(f"{{ {repeated} }}") == ["REPEATED_FIELDS"]
    assert _limit_codes("{ levels { code } layers { code } }") == []


def test_repeated_keys_count_fragments_merged_in() -> None:
    # graphql-core's overlap rule compares these pairwise: 1,000 took it 1.6 s
    inline = " ".join("... on Query { levels { code } }" for _ in range(1000))
    assert _limit_codes(f"{{ {inline} }}") == ["REPEATED_FIELDS"]
    spreads = " ".join(f"...F{i}" for i in range(300))
    fragments = " ".join(f"fragment F{i} on Query {{ levels {{ code }} }}" for i in range(300))
    assert _limit_codes(f"{{ {spreads} }} {fragments}") == ["REPEATED_FIELDS"]
    relay = " ".join(f"...F{i}" for i in range(10))  # fragments sharing a key: fine
    fragments = " ".join(f"fragment F{i} on Level {{ code }}" for i in range(10))
    assert _limit_codes(f"{{ levels {{ code {relay} }} }} {fragments}") == []


def test_introspection_is_not_limited_by_depth() -> None:
    from graphql import get_introspection_query

    assert _limit_codes(get_introspection_query()) == []
