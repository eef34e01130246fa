"""`serve` with two workers: a client's few keep-alive connections (the bench's four, a
proxy's upstreams) are answered by both workers, not piled onto the first one to wake, and
the spread survives a worker's death and a rolling restart (service/workers.py).

Which worker answered is read from the service's own figure (``cg_http_worker_requests``
in /metrics, one value per worker pid), which worker holds a connection from /proc (the
server's end of each loopback connection), and each worker's CPU from /proc."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from collections import Counter
from pathlib import Path

from tests.service_process import Service, start_service

CONNECTIONS = 4
ROUNDS = 25  # requests per connection
STUDENTS = '{ "query": "{ competencies(first: 20) { edges { node { code nameEn } } } }" }'


def _workers(service: Service) -> list[int]:
    """The HTTP worker processes of ``serve``: its children started by multiprocessing's
    spawn (not the engine, not multiprocessing's resource tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{service.process.pid}/task").iterdir():
        found.extend(int(child) for child in (task / "children").read_text().split())
    return [pid for pid in found if _spawned(pid)]


def _spawned(pid: int) -> bool:
    try:
        return b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for_joined(service: Service, count: int, *, after: int = 0,
                     seconds: float = 90) -> None:
    """Until ``count`` workers joined the dispatcher since log offset ``after``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(re.findall(r"HTTP worker \[\d+\] takes connections",
                          service.log_text()[after:])) >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"workers did not join: {service.log_text()[-3000:]}")


def _server_side_inodes(port: int) -> dict[int, int]:
    """Client port → inode of the server's end of that loopback connection."""
    inodes: dict[int, int] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if int(local.split(":")[1], 16) == port and inode:
            inodes[int(remote.split(":")[1], 16)] = inode
    return inodes


def _holder(inode: int, pids: list[int]) -> int:
    target = f"socket:[{inode}]"
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == target:
                    return pid
            except FileNotFoundError:
                continue
    raise AssertionError(f"no worker holds {target}")


def _request(sock: socket.socket, port: int, path: str, body: str | None = None) -> bytes:
    """One request on a keep-alive connection; the answer's body."""
    head = f"{'POST' if body else 'GET'} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    sock.sendall((head + "\r\n" + (body or "")).encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        assert chunk, "the service closed a keep-alive connection"
        answer += chunk
    header, rest = answer.split(b"\r\n\r\n", 1)
    assert header.startswith(b"HTTP/1.1 200"), header
    length = int(re.search(rb"(?i)content-length: (\d+)", header)[1])  # type: ignore[index]
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the service closed a keep-alive connection"
        rest += chunk
    return rest


def _answered_by_worker(text: str) -> dict[int, float]:
    return {int(pid): float(value) for pid, value in
            re.findall(r'^cg_http_worker_requests\{pid="(\d+)"\} ([0-9.e+]+)$', text, re.M)}


def _spread(service: Service) -> tuple[Counter[int], dict[int, float], dict[int, float]]:
    """Open CONNECTIONS at once, ROUNDS GraphQL requests on each; returns which worker held
    each connection, what /metrics says each worker answered meanwhile, and each worker's
    CPU seconds over the requests."""
    port = int(service.base.rsplit(":", 1)[1])
    workers = _workers(service)
    clients = [socket.create_connection(("127.0.0.1", port), timeout=30)
               for _ in range(CONNECTIONS)]
    try:
        before = _answered_by_worker(_request(clients[0], port, "/metrics").decode())
        cpu = {pid: _cpu_seconds(pid) for pid in workers}
        for _ in range(ROUNDS):
            for client in clients:
                assert b'"code"' in _request(client, port, "/graphql", STUDENTS)
        cpu = {pid: _cpu_seconds(pid) - spent for pid, spent in cpu.items()}
        deadline = time.monotonic() + 10
        while True:  # a request is counted just after its answer is sent
            after = _answered_by_worker(_request(clients[0], port, "/metrics").decode())
            seen = sum(after.get(pid, 0.0) - before.get(pid, 0.0) for pid in workers)
            # … the GraphQL requests and the first scrape (this one is not counted yet)
            if seen >= CONNECTIONS * ROUNDS + 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        inodes = _server_side_inodes(port)
        holders = Counter(_holder(inodes[client.getsockname()[1]], workers)
                          for client in clients)
    finally:
        ports = {client.getsockname()[1] for client in clients}
        for client in clients:
            client.close()
    # The parent counts a connection until its worker has seen it close (asynchronously):
    # wait for that, as a client opening four more at once would otherwise meet stale counts.
    deadline = time.monotonic() + 10
    while ports & set(_server_side_inodes(port)) and time.monotonic() < deadline:
        time.sleep(0.01)
    answered = {pid: after.get(pid, 0.0) - before.get(pid, 0.0) for pid in workers}
    return holders, answered, cpu


def _assert_even(holders: Counter[int], answered: dict[int, float],
                 cpu: dict[int, float]) -> None:
    assert sorted(holders.values()) == [2, 2], holders  # two connections each, always
    # Each worker answered its two connections' requests (the first also the scrape).
    assert sorted(answered.values())[0] >= 2 * ROUNDS, answered
    assert set(answered) == set(holders), (answered, holders)
    assert all(spent > 0 for spent in cpu.values()), cpu  # both did the work


def test_four_connections_are_spread_over_two_workers(tmp_path: Path) -> None:
    service = start_service(tmp_path / "data", workers=2)
    try:
        _wait_for_joined(service, 2)
        assert len(_workers(service)) == 2
        _assert_even(*_spread(service))
        _assert_even(*_spread(service))  # and again, once the first four have closed

        # SIGTERM with idle keep-alive connections open: each worker shuts down gracefully
        # (closing them) and serve exits cleanly.
        port = int(service.base.rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(4)]
        for client in idle:
            _request(client, port, "/healthz")
        service.process.terminate()
        assert service.process.wait(timeout=60) == 0
        assert all(client.recv(1) == b"" for client in idle)  # closed by the service
        for client in idle:
            client.close()
    finally:
        service.stop()
    log = service.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log
    assert log.count("takes no more connections") == 2  # each worker left the dispatcher
    assert log.count("Finished server process") == 2  # … and finished gracefully


def test_spread_survives_a_killed_worker_and_a_rolling_restart(tmp_path: Path) -> None:
    service = start_service(tmp_path / "data", workers=2)
    try:
        _wait_for_joined(service, 2)
        victim, survivor = _workers(service)
        offset = len(service.log_text())
        os.kill(victim, signal.SIGKILL)
        port = int(service.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            assert _request(client, port, "/healthz") == b'{"status":"ok"}'  # the survivor
        _wait_for_joined(service, 1, after=offset)  # uvicorn's replacement joined
        replaced = _workers(service)
        assert survivor in replaced and victim not in replaced and len(replaced) == 2
        _assert_even(*_spread(service))

        offset = len(service.log_text())
        os.kill(service.process.pid, signal.SIGHUP)  # uvicorn replaces each worker in turn
        _wait_for_joined(service, 2, after=offset)
        deadline = time.monotonic() + 60
        while set(_workers(service)) & set(replaced) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not set(_workers(service)) & set(replaced)
        _assert_even(*_spread(service))
    finally:
        service.stop()
    assert "Traceback" not in service.log_path.read_text(encoding="utf-8", errors="replace")
