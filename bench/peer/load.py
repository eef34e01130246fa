"""A lean keep-alive HTTP load generator: N connections, one request in flight on each.

Each request is built once (bytes) and sent over a raw socket; its answer is read to its
Content-Length (both servers send one) and checked for ``"data"`` without ``"errors"``, and
nothing more is parsed. One thread drives every connection with a selector, so no thread
switch or GIL hand-off is paid per request; its CPU is measured and reported
(``process_time`` of this process during the run).
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["LoadResult", "build_request", "run_load"]


def build_request(host: str, port: int, path: str, body: bytes,
                  token: str | None = None) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}",
            "Content-Type: application/json", f"Content-Length: {len(body)}",
            "Connection: keep-alive"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


@dataclass
class LoadResult:
    answers: int = 0
    bad: int = 0
    wall: float = 0.0
    client_cpu: float = 0.0  # seconds of this process's CPU during the run
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.answers / self.wall if self.wall else 0.0


class _Connection:
    """One keep-alive connection driven by the selector loop: send, then read one answer."""

    def __init__(self, host: str, port: int, requests: Sequence[bytes]) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.requests, self.next = requests, 0
        self.buffer = b""
        self.started = 0.0
        self.latencies: list[float] = []
        self.bad = 0

    def send(self) -> bool:
        """Send the next request; False when this connection has sent its share."""
        if self.next >= len(self.requests):
            return False
        self.started = time.perf_counter()
        self.sock.sendall(self.requests[self.next])
        self.next += 1
        return True

    def receive(self) -> bool:
        """Read what arrived; True once a whole answer is in (and checked)."""
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = self.buffer[:end].lower()
        at = head.find(b"content-length:")
        if at < 0:
            raise RuntimeError("an answer without Content-Length")
        line_end = head.find(b"\r\n", at)
        length = int(head[at + 15:line_end if line_end >= 0 else len(head)])
        if len(self.buffer) < end + 4 + length:
            return False
        self.latencies.append(time.perf_counter() - self.started)
        body = self.buffer[end + 4:end + 4 + length]
        if not head.startswith(b"http/1.1 200") or b'"errors"' in body or (
                b'"data"' not in body):
            self.bad += 1
        self.buffer = self.buffer[end + 4 + length:]
        return True


def run_load(host: str, port: int, requests: Sequence[bytes], clients: int) -> LoadResult:
    """Send ``requests`` (prebuilt) over ``clients`` keep-alive connections, each with one
    request in flight, from one thread (a selector loop: no thread switches to pay for)."""
    connections = [_Connection(host, port, requests[i::clients]) for i in range(clients)]
    selector = selectors.DefaultSelector()
    cpu = time.process_time()
    started = time.perf_counter()
    for connection in connections:
        if connection.send():
            selector.register(connection.sock, selectors.EVENT_READ, connection)
    open_connections = len(selector.get_map())
    while open_connections:
        for key, _ in selector.select():
            connection = key.data
            if connection.receive() and not connection.send():
                selector.unregister(connection.sock)
                open_connections -= 1
    result = LoadResult(wall=time.perf_counter() - started, client_cpu=time.process_time() - cpu)
    for connection in connections:
        connection.sock.close()
        result.latencies += connection.latencies
        result.answers += len(connection.latencies)
        result.bad += connection.bad
    selector.close()
    return result
