"""A low-overhead HTTP/1.1 load generator for the bench's HTTP figures.

Why not httpx: an httpx request costs its client 1.7–2.4 ms of CPU (issue 10), a quarter of the
machine's budget at 300 req/s, so the clients competed with the service they measured. Here:

- every request is encoded once, before the clock starts (bytes: head + JSON body);
- N keep-alive connections, one request in flight on each (N concurrent clients);
- one thread drives them all with a selector (no event loop, no thread switch per request);
- an answer is read to its Content-Length and nothing is parsed, except that every answer
  must be ``200`` with ``"data"`` and no ``"errors"``, and answers given an expected body are
  compared byte for byte (identical answers, checked on a sample);
- the generator's own CPU is that thread's ``thread_time`` over the run, so it can be
  reported per request next to the service's and the engine's.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["LoadResult", "encode_request", "fetch", "run_load"]


def encode_request(host: str, port: int, path: str, body: bytes,
                   token: str | None = None) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}",
            "Content-Type: application/json", f"Content-Length: {len(body)}"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


@dataclass
class LoadResult:
    answers: int = 0
    failures: int = 0  # not 200, or "errors", or no "data"
    checked: int = 0  # answers compared with an expected body
    mismatches: int = 0  # … and found different
    wall: float = 0.0
    client_cpu: float = 0.0  # seconds of the generator thread's CPU during the run
    latencies: list[float] = field(default_factory=list)
    first_mismatch: bytes | None = None

    @property
    def rate(self) -> float:
        return self.answers / self.wall if self.wall else 0.0

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu * 1000 / max(self.answers, 1)


class _Connection:
    def __init__(self, host: str, port: int, indexes: Sequence[int]) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.indexes, self.next = indexes, 0
        self.current = -1
        self.buffer = b""
        self.started = 0.0

    def send(self, requests: Sequence[bytes]) -> bool:
        """Send the next request of this connection's share; False when all are sent."""
        if self.next >= len(self.indexes):
            return False
        self.current = self.indexes[self.next]
        self.next += 1
        self.started = time.perf_counter()
        self.sock.setblocking(True)  # a request fits the socket buffer: one call
        self.sock.sendall(requests[self.current])
        self.sock.setblocking(False)
        return True

    def receive(self) -> bytes | None:
        """Read what arrived; the whole answer (head + body) once it is in."""
        chunk = self.sock.recv(1 << 18)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        at = self.buffer.find(b"content-length:", 0, end)
        if at < 0:
            at = self.buffer.lower().find(b"content-length:", 0, end)
            if at < 0:
                raise RuntimeError("an answer without Content-Length")
        line_end = self.buffer.find(b"\r\n", at)
        length = int(self.buffer[at + 15:line_end])
        total = end + 4 + length
        if len(self.buffer) < total:
            return None
        answer, self.buffer = self.buffer[:total], self.buffer[total:]
        return answer


def run_load(host: str, port: int, requests: Sequence[bytes], clients: int,
             expected: Mapping[int, bytes] | None = None) -> LoadResult:
    """Send ``requests`` (encoded) over ``clients`` keep-alive connections, one request in
    flight on each; answers to the indexes in ``expected`` must have exactly that body."""
    expected = expected or {}
    clients = max(1, min(clients, len(requests)))
    connections = [_Connection(host, port, range(i, len(requests), clients))
                   for i in range(clients)]
    selector = selectors.DefaultSelector()
    result = LoadResult()
    latencies = result.latencies
    cpu = time.thread_time()
    started = time.perf_counter()
    for connection in connections:
        if connection.send(requests):
            selector.register(connection.sock, selectors.EVENT_READ, connection)
    open_connections = len(selector.get_map())
    while open_connections:
        for key, _ in selector.select():
            connection = key.data
            answer = connection.receive()
            if answer is None:
                continue
            latencies.append(time.perf_counter() - connection.started)
            body = answer[answer.find(b"\r\n\r\n") + 4:]
            if not answer.startswith(b"HTTP/1.1 200") or b'"errors"' in body or (
                    b'"data"' not in body):
                result.failures += 1
            want = expected.get(connection.current)
            if want is not None:
                result.checked += 1
                if body != want:
                    result.mismatches += 1
                    result.first_mismatch = result.first_mismatch or body
            if not connection.send(requests):
                selector.unregister(connection.sock)
                open_connections -= 1
    result.wall = time.perf_counter() - started
    result.client_cpu = time.thread_time() - cpu
    for connection in connections:
        connection.sock.close()
    selector.close()
    result.answers = len(latencies)
    return result


def fetch(host: str, port: int, request: bytes) -> bytes:
    """One request on its own connection: the body of a 200 answer (a reference answer)."""
    connection = _Connection(host, port, [0])
    try:
        connection.send([request])
        connection.sock.setblocking(True)
        while (answer := connection.receive()) is None:
            pass
    finally:
        connection.sock.close()
    if not answer.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"reference request failed: {answer[:300]!r}")
    return answer[answer.find(b"\r\n\r\n") + 4:]
