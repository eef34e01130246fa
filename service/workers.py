"""Several HTTP workers behind one port, each connection to the worker holding the fewest.

uvicorn's own way — every worker accepting from one shared listening socket — leaves the
spread to whichever worker wakes first, and asyncio then accepts the whole queue: the bench's
four keep-alive connections usually all went to one of two workers (measured in most bench
loops: 1.5–2.2 ms CPU per request in one, 0.00–0.02 in the other). Here the parent accepts,
in a thread of its own, and hands each connection over a Unix socket to the worker with the
fewest open connections (ties: the one given a connection longest ago), which serves it with
uvicorn as before (service/handover.py). Deterministic, whatever the client or proxy does,
with one lag: a worker's count drops once it has seen a connection close, so connections
opened within milliseconds of others closing may meet the old counts.

What stays uvicorn's: the worker processes, their health checks and restarts, signals
(SIGTERM: the parent stops accepting, then each worker shuts down gracefully; SIGHUP, TTIN,
TTOU), HTTP and lifespan in each worker. A worker that is shutting down gets no more
connections; one that was on its way to it, or to a worker that died, goes to another (the
parent keeps its descriptor until the worker confirms it); a worker that dies loses only
the connections it was serving. A worker joins once its app has started, so nothing waits
on a worker still importing.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import selectors
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn
from uvicorn.supervisors import Multiprocess

from service.handover import ACK, CONNECTION, QUITTING, RELEASED, TAKEN, receive

__all__ = ["Dispatcher", "serve_workers"]

log = logging.getLogger("competency_graph.workers")

LOOP = "service.handover:HandOverLoop"
_ACCEPTS_PER_WAKE = 64
_PAUSE_ON_EXHAUSTION_S = 1.0  # out of file descriptors or memory: as asyncio does
_EXHAUSTION = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


@dataclass(slots=True)
class _Worker:
    channel: socket.socket
    pid: int
    open: int = 0  # connections handed over and not yet released
    last_given: int = 0  # sequence number of the last connection handed to it
    quitting: bool = False
    # Our descriptors of the connections sent and not yet TAKEN, oldest first: should the
    # worker go without taking them, they go to another.
    unconfirmed: deque[socket.socket] = field(default_factory=deque)


def _peer(channel: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a Unix socket."""
    pid, uid, _ = struct.unpack("3i", channel.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    return pid, uid


def _our_child(pid: int, uid: int) -> bool:
    """Only this process's children (its workers), as this user, may join."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            parent = int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return False
    return uid == os.getuid() and parent == os.getpid()


class Dispatcher:
    """Accepts on ``listener`` and hands connections to the workers that joined at
    ``handover`` (an abstract Unix socket only this process's children may join)."""

    def __init__(self, listener: socket.socket, backlog: int, *,
                 on_failure: Callable[[], None] = lambda: None,
                 admit: Callable[[int, int], bool] | None = None) -> None:
        self.listener = listener
        listener.listen(backlog)
        listener.setblocking(False)
        self.handover = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.handover.bind(f"\0competency-graph-{os.getpid()}-{secrets.token_hex(8)}")
        self.handover.listen(16)
        self.handover.setblocking(False)
        self._on_failure = on_failure
        self._admit = admit or _our_child
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._workers: dict[int, _Worker] = {}  # by channel fd
        self._pending: deque[socket.socket] = deque()  # accepted, no worker to take them
        self._sequence = 0
        self._accepting = True
        self._listening = False
        self._paused_until = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="dispatcher", daemon=True)

    # ---- the supervisor's side (main thread) -----------------------------------------------
    def start(self) -> None:
        self._selector.register(self.handover, selectors.EVENT_READ, self._join)
        self._selector.register(self._wake_read, selectors.EVENT_READ, self._woken)
        self._thread.start()

    def open_connections(self) -> list[int]:
        """Open connections of each worker taking connections, in the order they joined."""
        return [w.open for w in list(self._workers.values()) if not w.quitting]

    def stop_accepting(self) -> None:
        """New connections stay in the kernel's queue from now on (the service is
        stopping); the workers' connections are theirs to close gracefully."""
        self._accepting = False
        self._wake()

    def stop(self) -> None:
        self._accepting, self._stopping = False, True
        self._wake()
        self._thread.join(timeout=10)
        for conn in self._pending:
            conn.close()
        for worker in self._workers.values():
            worker.channel.close()
            for conn in worker.unconfirmed:
                conn.close()
        for sock in (self.handover, self._wake_read, self._wake_write, self.listener):
            sock.close()
        self._selector.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_write.send(b"w")

    # ---- the dispatcher thread ------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stopping:
                self._listen_if_useful()
                timeout = 0.5 if self._pending or self._paused_until else None
                ready = self._selector.select(timeout)
                # The workers' news first (a release lowers a count), then new connections.
                for key, _ in sorted(ready, key=lambda event: event[0].data == self._accept):
                    key.data(key.fileobj)
                self._hand_out_pending()
        except Exception:
            log.exception("the connection dispatcher failed; stopping the service")
            self._on_failure()

    def _listen_if_useful(self) -> None:
        """Watch the listener only while some worker can take a connection: until then
        connections wait in the kernel's queue, as they did for uvicorn's own workers."""
        if self._paused_until and time.monotonic() >= self._paused_until:
            self._paused_until = 0.0
        wanted = (self._accepting and not self._paused_until and not self._pending
                  and any(not w.quitting for w in self._workers.values()))
        if wanted and not self._listening:
            self._selector.register(self.listener, selectors.EVENT_READ, self._accept)
        elif self._listening and not wanted:
            self._selector.unregister(self.listener)
        self._listening = wanted

    def _woken(self, sock: socket.socket) -> None:
        with contextlib.suppress(BlockingIOError):
            while sock.recv(64):
                pass

    def _accept(self, listener: socket.socket) -> None:
        for _ in range(_ACCEPTS_PER_WAKE):
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno not in _EXHAUSTION:
                    raise
                log.error("cannot accept a connection (%s); pausing for %.0f s", exc,
                          _PAUSE_ON_EXHAUSTION_S)
                self._paused_until = time.monotonic() + _PAUSE_ON_EXHAUSTION_S
                self._listen_if_useful()
                return
            if not self._hand_over(conn):
                self._pending.append(conn)
                return

    def _hand_over(self, conn: socket.socket) -> bool:
        """Give ``conn`` to the least loaded worker that takes it; False if none does."""
        candidates = sorted((w for w in self._workers.values() if not w.quitting),
                            key=lambda w: (w.open, w.last_given))
        for worker in candidates:
            try:
                socket.send_fds(worker.channel, [CONNECTION], [conn.fileno()],
                                socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                continue  # not reading right now (busy or stuck): another worker
            except OSError:
                self._leave(worker)
                continue
            self._sequence += 1
            worker.open += 1
            worker.last_given = self._sequence
            worker.unconfirmed.append(conn)
            return True
        return False

    def _hand_out_pending(self) -> None:
        while self._pending:
            if not self._accepting:
                self._pending.popleft().close()
            elif not self._hand_over(self._pending[0]):
                return
            else:
                self._pending.popleft()

    def _join(self, handover: socket.socket) -> None:
        try:
            channel, _ = handover.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        try:
            pid, uid = _peer(channel)
        except OSError:  # gone already
            channel.close()
            return
        if not self._admit(pid, uid):
            log.warning("refused a hand-over channel from pid %d (not a worker)", pid)
            channel.close()
            return
        channel.setblocking(False)
        self._workers[channel.fileno()] = _Worker(channel, pid)
        self._selector.register(channel, selectors.EVENT_READ, self._from_worker)
        log.info("HTTP worker [%d] takes connections (%d worker(s))", pid,
                 sum(not w.quitting for w in self._workers.values()))

    def _from_worker(self, channel: socket.socket) -> None:
        worker = self._workers.get(channel.fileno())
        if worker is None:
            return
        while True:
            received = receive(channel)
            if received is None:
                return
            message, fds = received
            if not message:
                self._leave(worker)
                return
            if message == TAKEN and worker.unconfirmed:
                worker.unconfirmed.popleft().close()  # the worker's own copy serves it
            elif message == RELEASED:
                worker.open -= 1
            elif message == QUITTING:
                worker.quitting = True
                try:
                    channel.send(ACK, socket.MSG_DONTWAIT)
                except OSError:
                    self._leave(worker)
                    return
            for fd in fds:  # never sent by a worker: not ours to keep
                os.close(fd)

    def _leave(self, worker: _Worker) -> None:
        """The worker closed its channel (it stopped, or died): its connections were its."""
        if self._workers.pop(worker.channel.fileno(), None) is None:
            return
        self._selector.unregister(worker.channel)
        worker.channel.close()
        self._pending.extend(worker.unconfirmed)  # never taken: for another worker
        log.info("HTTP worker [%d] takes no more connections%s", worker.pid,
                 f" ({len(worker.unconfirmed)} sent elsewhere)" if worker.unconfirmed else "")
        worker.unconfirmed.clear()


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, with the workers given the hand-over point instead of the
    listening socket, and the dispatcher running beside it."""

    def __init__(self, config: uvicorn.Config, listener: socket.socket) -> None:
        self.dispatcher = Dispatcher(listener, config.backlog, on_failure=self._fail)
        super().__init__(config, sockets=[self.dispatcher.handover])

    def _fail(self) -> None:
        self.should_exit.set()

    def run(self) -> None:
        self.dispatcher.start()
        try:
            super().run()
        finally:
            self.dispatcher.stop()

    def terminate_all(self) -> None:
        self.dispatcher.stop_accepting()
        super().terminate_all()


def serve_workers(config: uvicorn.Config) -> None:
    """Run ``config.workers`` uvicorn workers behind ``config``'s host and port until a
    signal stops them. The workers serve plain HTTP: a websocket upgrade would take a
    connection out of the count, and the service has no websocket routes."""
    config.loop, config.ws = LOOP, "none"
    _Supervisor(config, config.bind_socket()).run()
