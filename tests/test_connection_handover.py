"""The dispatcher and the hand-over server in one process, on real sockets: the parent's
choice (fewest open connections, ties to the worker given one longest ago), the count kept
as connections close, and a connection on its way to a worker that is shutting down, or
that dies, served by another instead of lost (service/workers.py, service/handover.py).
The workers' loop is driven step by step, so the order of events is fixed, not raced."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
from collections.abc import Iterator

import pytest

from service.handover import HandOverLoop
from service.workers import Dispatcher


class _Named(asyncio.Protocol):
    """Answers every read with the name of the worker holding the connection."""

    def __init__(self, name: str) -> None:
        self.name = name

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(self.name.encode())


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    listener = socket.create_server(("127.0.0.1", 0))
    # In one process the "workers" are not children of it: admit this user's.
    dispatcher = Dispatcher(listener, 16, admit=lambda _pid, uid: uid == os.getuid())
    dispatcher.start()
    yield dispatcher
    dispatcher.stop()


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = HandOverLoop()
    yield loop
    loop.close()


def _until(loop: asyncio.AbstractEventLoop, condition: object, seconds: float = 10) -> None:
    """Run the workers' loop until ``condition()`` holds."""
    async def wait() -> None:
        async with asyncio.timeout(seconds):
            while not condition():  # type: ignore[operator]
                await asyncio.sleep(0.005)

    loop.run_until_complete(wait())


def _holder(loop: asyncio.AbstractEventLoop, client: socket.socket) -> str:
    """Which worker answers ``client``."""
    async def ask() -> bytes:
        await loop.sock_sendall(client, b"?")
        return await loop.sock_recv(client, 16)

    return loop.run_until_complete(asyncio.wait_for(ask(), 10)).decode()


def _connect(dispatcher: Dispatcher) -> socket.socket:
    client = socket.create_connection(dispatcher.listener.getsockname(), timeout=10)
    client.setblocking(False)
    return client


def test_fewest_connections_first_and_a_quitting_worker_misses_nothing(
        dispatcher: Dispatcher, loop: asyncio.AbstractEventLoop) -> None:
    servers = {name: loop.run_until_complete(loop.create_server(
        functools.partial(_Named, name), sock=dispatcher.handover)) for name in "ab"}
    _until(loop, lambda: len(dispatcher.open_connections()) == 2)

    clients = [_connect(dispatcher) for _ in range(4)]
    assert [_holder(loop, c) for c in clients] == ["a", "b", "a", "b"]
    _until(loop, lambda: dispatcher.open_connections() == [2, 2])

    clients.pop(0).close()  # one of a's: a holds fewer now, so a gets the next one
    _until(loop, lambda: dispatcher.open_connections() == [1, 2])
    clients.append(_connect(dispatcher))
    assert _holder(loop, clients[-1]) == "a"
    _until(loop, lambda: dispatcher.open_connections() == [2, 2])

    # A connection reaches b's channel while b's loop is not running; b then shuts down:
    # it finds the connection after its QUITTING and drops it unconfirmed; a serves it.
    late = _connect(dispatcher)
    deadline = loop.time() + 10
    while dispatcher.open_connections() != [2, 3] and loop.time() < deadline:
        os.sched_yield()  # the dispatcher thread hands it over; b's loop stays still
    assert dispatcher.open_connections() == [2, 3]  # b: tie broken to the longest waiting
    servers["b"].close()
    loop.run_until_complete(servers["b"].wait_closed())
    assert _holder(loop, late) == "a"
    _until(loop, lambda: dispatcher.open_connections() == [3])  # b takes no more

    # b's open connections are still b's to serve until it closes them.
    assert _holder(loop, clients[0]) == "b"
    for client in [*clients, late]:
        client.close()
    _until(loop, lambda: dispatcher.open_connections() == [0])
    servers["a"].close()
    loop.run_until_complete(servers["a"].wait_closed())
    _until(loop, lambda: dispatcher.open_connections() == [])


def test_a_worker_that_dies_loses_no_connection_it_had_not_taken(
        dispatcher: Dispatcher, loop: asyncio.AbstractEventLoop) -> None:
    server = loop.run_until_complete(loop.create_server(
        functools.partial(_Named, "a"), sock=dispatcher.handover))
    _until(loop, lambda: len(dispatcher.open_connections()) == 1)
    dying = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # joins, takes nothing
    dying.connect(dispatcher.handover.getsockname())
    _until(loop, lambda: len(dispatcher.open_connections()) == 2)
    first, second = _connect(dispatcher), _connect(dispatcher)
    _until(loop, lambda: dispatcher.open_connections() == [1, 1])  # one each
    dying.close()  # as a killed worker's channel closes, its mail unread
    _until(loop, lambda: dispatcher.open_connections() == [2])
    assert [_holder(loop, first), _holder(loop, second)] == ["a", "a"]
    clients = [_connect(dispatcher) for _ in range(2)]
    assert [_holder(loop, c) for c in clients] == ["a", "a"]
    for client in [first, second, *clients]:
        client.close()
    server.close()
    loop.run_until_complete(server.wait_closed())
