"""The embedded backend on a real FalkorDB process: queries, constraints, durability."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from graph.cypher import Cypher
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.errors import StoreTimeout, StoreUnavailable, UniquenessViolation
from graph.migrations import SCHEMA_VERSION, current_version, migrate

PUT_LEVEL = Cypher("MERGE (l:Level {code: $code}) SET l.nameZh = $name RETURN l.code AS code")
GET_LEVELS = Cypher("MATCH (l:Level) RETURN l {.code, .nameZh} AS level ORDER BY l.code")
CREATE_LEVEL = Cypher("CREATE (l:Level {code: $code})")
SLOW_COUNT = Cypher("UNWIND range(1, 5000) AS a UNWIND range(1, 5000) AS b RETURN count(*) AS n")


async def test_write_then_read_returns_plain_records(store: EmbeddedStore) -> None:
    await store.write(PUT_LEVEL, {"code": "ZZ", "name": "中职"})
    assert await store.read(GET_LEVELS) == [{"level": {"code": "ZZ", "nameZh": "中职"}}]


async def test_only_registered_cypher_runs(store: EmbeddedStore) -> None:
    with pytest.raises(TypeError):
        await store.read("MATCH (n) RETURN n")  # type: ignore[arg-type]


async def test_a_read_past_its_timeout_is_a_store_timeout(store: EmbeddedStore) -> None:
    """The timeout set for HTTP callers surfaces as its own error (STORE_TIMEOUT in the API)."""
    with pytest.raises(StoreTimeout):
        await store.read(SLOW_COUNT, timeout=0.001)
    assert await store.read(GET_LEVELS, timeout=5) == []  # the engine serves on


async def test_unique_codes_are_enforced(store: EmbeddedStore) -> None:
    await store.write(CREATE_LEVEL, {"code": "GZ"})
    with pytest.raises(UniquenessViolation):
        await store.write(CREATE_LEVEL, {"code": "GZ"})


async def test_migrations_are_idempotent_and_versioned(store: EmbeddedStore) -> None:
    assert await migrate(store, "2026-01-02T00:00:00+00:00") == SCHEMA_VERSION
    assert await migrate(store, "2026-01-03T00:00:00+00:00") == SCHEMA_VERSION
    assert await current_version(store) == SCHEMA_VERSION


async def test_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    store = await EmbeddedStore.start(tmp_path / "data")
    await store.write(PUT_LEVEL, {"code": "BK", "name": "职业本科"})
    server = store._server
    assert server is not None and server.pid is not None
    os.kill(server.pid, signal.SIGKILL)
    await asyncio.sleep(0.2)
    await store.close()
    reopened = await EmbeddedStore.start(tmp_path / "data")
    try:
        assert await reopened.read(GET_LEVELS) == [{"level": {"code": "BK", "nameZh": "职业本科"}}]
    finally:
        await reopened.close()


def test_a_data_directory_serves_one_process_only(tmp_path: Path) -> None:
    first = EmbeddedServer(tmp_path / "data")
    first.start()
    try:
        with pytest.raises(StoreUnavailable, match="in use"):
            EmbeddedServer(tmp_path / "data").start()
    finally:
        first.stop()


def test_long_data_paths_still_get_a_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    server = EmbeddedServer(deep)
    server.start()
    try:
        assert len(server.socket_path) <= 100
    finally:
        server.stop()


@pytest.mark.parametrize("value", [
    "a\"b\\c", "", "中文 · 伦理", 7, -2.5, 1e-7, True, False, None,
    [1, "x", None, [True, 2.0]], {"a": {"b": [1.5, 'q"\\']}, "c": None}, (1, 2),
])
def test_parameter_encoding_matches_the_client(value: object) -> None:
    from falkordb.helpers import stringify_param_value

    from graph.embedded import _literal

    assert _literal(value) == stringify_param_value(value)


async def test_parameters_round_trip_through_the_engine(store: EmbeddedStore) -> None:
    echo = Cypher("RETURN $value AS value")
    value = {"text": 'quote " and \\ and 中文', "n": 3, "x": 0.25, "ok": True, "none": None,
             "list": ["a", 1, [False]]}
    assert await store.read(echo, {"value": value}) == [{"value": value}]


NODE_AND_EDGE = Cypher(
    "CREATE (a:Level {code: $code, rank: 2, ratio: 0.5, open: true, tags: ['x', 1]})"
    "-[r:NEXT {weight: 1.25}]->(b:Level {code: $other}) "
    "RETURN a, r, b {.code} AS b, [a.rank, null, false] AS list, a.missing AS none, "
    "sum(a.rank) AS total")


async def test_the_wire_client_decodes_every_kind_of_value(store: EmbeddedStore) -> None:
    """Nodes and relationships whole (their property names fetched from the engine once a new
    key id shows up), maps, lists, floats, booleans and nulls, in one pass."""
    [row] = await store.write(NODE_AND_EDGE, {"code": "ZZ", "other": "GZ"})
    assert row == {"a": {"code": "ZZ", "rank": 2, "ratio": 0.5, "open": True, "tags": ["x", 1]},
                   "r": {"weight": 1.25}, "b": {"code": "GZ"}, "list": [2, None, False],
                   "none": None, "total": 2.0}


async def test_a_failing_query_is_a_store_error_and_the_connection_serves_on(
        store: EmbeddedStore) -> None:
    from graph.errors import StoreError

    with pytest.raises(StoreError):
        await store.read(Cypher("RETURN 1 + 'a' + [] AS x, toInteger({}) AS y"))
    assert await store.read(GET_LEVELS) == []


async def test_many_concurrent_reads_share_the_pool(store: EmbeddedStore) -> None:
    await store.write(PUT_LEVEL, {"code": "ZZ", "name": "中职"})
    answers = await asyncio.gather(*(store.read(GET_LEVELS) for _ in range(100)))
    assert all(a == [{"level": {"code": "ZZ", "nameZh": "中职"}}] for a in answers)


ECHO_ROWS = Cypher("UNWIND $rows AS row RETURN row")


async def test_list_parameters_reach_the_engine_as_given(store: EmbeddedStore) -> None:
    """Lists take the JSON fast path whenever its text is Cypher's, and the general writer
    otherwise (maps, control characters, escapes): the engine reads the same values."""
    from graph.embedded import _list_literal

    rows: list[list[Any]] = [
            [1, -2.5, 1e16, True, False, None], ['say "hi"', "back\\slash", "a/b", "中文"],
            ["line\nbreak", "tab\there", "\\u0041", "{not a map}"], [{"k": "v", "n": [1]}],
            [["nested", [0, "deeper"]]]]
    assert _list_literal(rows[0]) == "[1,-2.5,1e+16,true,false,null]"  # the fast path
    assert "`k`" in _list_literal(rows[3])  # a map: the general writer
    got = [record["row"] for record in await store.read(ECHO_ROWS, {"rows": rows})]
    assert got == [[1, -2.5, 1e16, True, False, None], rows[1], rows[2], [{"k": "v", "n": [1]}],
                   rows[4]]


async def test_writes_keep_the_order_they_were_sent_in(store: EmbeddedStore) -> None:
    """Writes share one pipelined connection: sent together they still run in call order,
    each caller gets its own reply, and one that gave up does not shift the others'."""
    names = [f"v{i}" * (1 + (7 * i) % 40) for i in range(30)]  # long and short queries
    given_up = asyncio.ensure_future(store.write(PUT_LEVEL, {"code": "GONE", "name": "x"}))
    replies = asyncio.gather(*(store.write(PUT_LEVEL, {"code": f"L{i % 3}", "name": name})
                               for i, name in enumerate(names)))
    await asyncio.sleep(0)
    given_up.cancel()
    assert [row["code"] for [row] in await replies] == [f"L{i % 3}" for i in range(30)]
    levels = {row["level"]["code"]: row["level"]["nameZh"] for row in await store.read(GET_LEVELS)}
    assert {code: levels[code] for code in ("L0", "L1", "L2")} == {
        f"L{i}": names[27 + i] for i in range(3)}  # the last write of each wins
    assert (await store.write(PUT_LEVEL, {"code": "L9", "name": "after"})) == [{"code": "L9"}]
