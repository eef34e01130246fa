"""The worker's half of connection hand-over: serve TCP connections the parent accepted.

With several workers, ``serve``'s parent process accepts every connection and hands each to
the worker holding the fewest (service/workers.py), because workers sharing one listening
socket do not share the load: asyncio accepts every queued connection each time the socket
wakes a worker, so the bench's four keep-alive connections (or a proxy's few upstreams) all
landed on one worker, busy at 100 % while the other idled (issue 10).

Each worker connects to the parent over a Unix socket (``SOCK_SEQPACKET``: one message per
``send``) and receives connections as file descriptors (``SCM_RIGHTS``). uvicorn runs them
unchanged: its loop setting names :class:`HandOverLoop`, whose ``create_server`` — called by
uvicorn's ``Server.startup`` with the socket it was given — returns a :class:`HandOverServer`
when that socket is the parent's hand-over point instead of a TCP listener. Each connection
goes to ``connect_accepted_socket`` with uvicorn's own protocol factory, so HTTP parsing,
keep-alive, limits, lifespan and graceful shutdown stay uvicorn's.

The messages, one byte each: parent → worker ``CONNECTION`` (with the connection's
descriptor) and ``ACK`` (no more will come); worker → parent ``TAKEN`` (I serve the oldest
connection you sent me and I had not confirmed), ``RELEASED`` (one of mine closed) and
``QUITTING`` (I am shutting down: send no more). The parent keeps its own descriptor of a
connection until ``TAKEN``: one that reached a worker as it died, or after it said
``QUITTING`` (it drops those unconfirmed), goes to another worker instead of being lost.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import deque
from collections.abc import Callable
from typing import Any

__all__ = ["ACK", "CONNECTION", "QUITTING", "RELEASED", "TAKEN", "HandOverLoop",
           "HandOverServer", "is_handover_point", "receive"]

log = logging.getLogger("competency_graph.workers")

CONNECTION, ACK, TAKEN, RELEASED, QUITTING = b"C", b"A", b"T", b"R", b"Q"
_ACK_TIMEOUT_S = 5.0  # a parent that does not acknowledge QUITTING is stuck or gone


def is_handover_point(sock: socket.socket) -> bool:
    """A Unix sequenced-packet socket is never an HTTP listener (HTTP needs a stream)."""
    return sock.family == socket.AF_UNIX and sock.type == socket.SOCK_SEQPACKET



def receive(channel: socket.socket) -> tuple[bytes, list[int]] | None:
    """One message of a hand-over channel and the descriptors it carries: None when nothing
    is waiting, an empty message when the other side is gone."""
    try:
        message, fds, _, _ = socket.recv_fds(channel, 16, 4, socket.MSG_CMSG_CLOEXEC)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b"", []
    return message, fds

class _Counted(asyncio.Protocol):
    """uvicorn's protocol for one connection, telling the server when the connection is gone
    (the parent counts each worker's open connections)."""

    __slots__ = ("_inner", "_release")

    def __init__(self, inner: asyncio.Protocol, release: Callable[[], None]) -> None:
        self._inner, self._release = inner, release

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            self._inner.connection_lost(exc)
        finally:
            self._release()


class HandOverServer(asyncio.AbstractServer):
    """What uvicorn keeps as its server: serves the connections the parent sends until
    ``close``, which tells the parent to stop (any still on their way go elsewhere)."""

    def __init__(self, loop: asyncio.AbstractEventLoop,
                 protocol_factory: Callable[[], asyncio.BaseProtocol],
                 address: str | bytes, ssl: Any = None) -> None:
        self._loop, self._factory, self._address, self._ssl = loop, protocol_factory, \
            address, ssl
        self._channel: socket.socket | None = None
        self._quitting = False
        self._closed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._outbox: deque[bytes] = deque()  # messages the channel had no room for yet

    async def start(self) -> None:
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        channel.setblocking(False)
        await self._loop.sock_connect(channel, self._address)
        self._channel = channel
        self._loop.add_reader(channel.fileno(), self._readable)

    # ---- messages from the parent ----------------------------------------------------------
    def _readable(self) -> None:
        channel = self._channel
        while channel is not None:
            received = receive(channel)
            if received is None:
                return
            message, fds = received
            if not message:  # the parent is gone: nothing more will come
                self._shut()
                return
            for fd in fds:
                self._connection(socket.socket(fileno=fd))
            if message == ACK:
                self._shut()
                return
            channel = self._channel

    def _connection(self, conn: socket.socket) -> None:
        if self._quitting:  # on its way while we said QUITTING: the parent re-sends it
            conn.close()
            return
        self._send(TAKEN)
        conn.setblocking(False)
        task = self._loop.create_task(self._serve(conn))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, conn: socket.socket) -> None:
        made = False

        def protocol() -> asyncio.Protocol:
            nonlocal made
            made = True  # from here on, connection_lost releases it
            inner = self._factory()
            assert isinstance(inner, asyncio.Protocol), inner
            return _Counted(inner, self._released)

        try:
            await self._loop.connect_accepted_socket(protocol, conn, ssl=self._ssl)
        except Exception as exc:  # the client left before it was served (reset, TLS)
            log.debug("a handed-over connection failed at once: %s", exc)
            if not made:
                conn.close()
                self._released()

    def _released(self) -> None:
        self._send(RELEASED)

    def _send(self, message: bytes) -> None:
        """A message to the parent, in order; kept while the channel is full (the parent
        reads all the time, so that is brief). A closed channel: the parent is gone, or
        knows we are going, and its count of ours no longer matters."""
        if self._channel is None:
            return
        self._outbox.append(message)
        if len(self._outbox) == 1:
            self._flush()

    def _flush(self) -> None:
        channel = self._channel
        while self._outbox and channel is not None:
            try:
                channel.send(self._outbox[0])
            except (BlockingIOError, InterruptedError):
                self._loop.add_writer(channel.fileno(), self._flush)
                return
            except OSError:
                self._outbox.clear()
                return
            self._outbox.popleft()
        if channel is not None:
            self._loop.remove_writer(channel.fileno())

    def _shut(self) -> None:
        if self._channel is not None:
            self._loop.remove_reader(self._channel.fileno())
            self._loop.remove_writer(self._channel.fileno())
            self._channel.close()
            self._channel = None
        self._closed.set()

    # ---- asyncio.AbstractServer ------------------------------------------------------------
    def close(self) -> None:
        if self._quitting or self._channel is None:
            self._shut()
            return
        self._quitting = True
        self._send(QUITTING)  # the parent answers ACK, and sends the late ones elsewhere
        self._loop.call_later(_ACK_TIMEOUT_S, self._shut)

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._channel is not None and not self._quitting

    async def start_serving(self) -> None:
        return None  # serving from ``start``

    async def serve_forever(self) -> None:
        await self.wait_closed()


class HandOverLoop(asyncio.SelectorEventLoop):
    """asyncio's loop, except that a server on a hand-over point serves what the parent
    sends (uvicorn's ``loop="service.handover:HandOverLoop"``); other servers are as ever."""

    async def create_server(  # type: ignore[override]
            self, protocol_factory: Callable[[], asyncio.BaseProtocol],
            host: Any = None, port: Any = None, *, sock: socket.socket | None = None,
            **options: Any) -> asyncio.AbstractServer:
        if sock is None or not is_handover_point(sock):
            return await super().create_server(protocol_factory, host, port, sock=sock,
                                                **options)
        server = HandOverServer(self, protocol_factory, sock.getsockname(),
                                options.get("ssl"))
        await server.start()
        return server
