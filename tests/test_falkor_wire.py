"""The wire client's view of an engine that is up but still replaying its log after a restart.

Every command then gets ``-LOADING …``: that is the store being unavailable for a moment (the
caller gets 503 + Retry-After), not a failed query (which would be masked as an internal
error, as happened when a request arrived in the first milliseconds after a restart)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graph.errors import StoreUnavailable
from graph.falkor_wire import ReplyError, WirePool

LOADING = b"-LOADING Redis is loading the dataset in memory\r\n"


async def _engine(path: Path, answer: bytes) -> asyncio.AbstractServer:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):
            writer.write(answer)
            await writer.drain()
        writer.close()
    return await asyncio.start_unix_server(serve, path=str(path))


async def test_a_loading_engine_is_unavailable_and_the_connection_is_kept(
        tmp_path: Path) -> None:
    socket = tmp_path / "engine.sock"
    server = await _engine(socket, LOADING)
    pool = WirePool(str(socket), size=2)
    try:
        for _ in range(3):  # the same connection keeps serving: it was not broken
            with pytest.raises(StoreUnavailable, match="loading"):
                await pool.call(["GRAPH.QUERY", "g", "RETURN 1", "--compact"])
    finally:
        await pool.close()
        server.close()


async def test_other_error_replies_are_returned_to_the_store(tmp_path: Path) -> None:
    socket = tmp_path / "engine.sock"
    server = await _engine(socket, b"-errMsg: Invalid input at end of input\r\n")
    pool = WirePool(str(socket), size=1)
    try:
        reply = await pool.call(["GRAPH.QUERY", "g", "RETURN", "--compact"])
        assert isinstance(reply, ReplyError) and "Invalid input" in str(reply)
    finally:
        await pool.close()
        server.close()
