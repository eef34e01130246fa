"""The servers of the side-by-side, as subprocesses on loopback ports, and their CPU from /proc.

- the project: ``competency-graph serve`` (``--backend neo4j`` or ``embedded``, one worker
  unless told otherwise);
- the peer: ``node bench/peer/server.mjs`` (@neo4j/graphql on graphql-yoga).
Each is stopped by its own pid. CPU is user + system time from ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["PEER_DIR", "ROOT", "Server", "cpu_seconds", "free_port", "neo4j_pid", "peer_server",
           "project_server"]

ROOT = Path(__file__).resolve().parents[2]
PEER_DIR = ROOT / "bench" / "peer"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return found


def neo4j_pid() -> int | None:
    """The Neo4j JVM's pid: $NEO4J_PID, else the pid file of the shared start script."""
    if os.environ.get("NEO4J_PID"):
        return int(os.environ["NEO4J_PID"])
    home = Path(os.environ.get("NEO4J_HOME") or Path(os.environ.get("TMPDIR") or "/tmp")
                / "neo4j-5.26" / "home")
    pid_file = home / "run" / "neo4j.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().strip())
        if Path(f"/proc/{pid}").exists():
            return pid
    return None


class Server:
    """One HTTP server subprocess; ``probe`` is a GET path that answers 200 once it is up."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: Path,
                 port: int, probe: str, log_file: Path) -> None:
        self.name, self.command, self.env, self.cwd = name, command, env, cwd
        self.port, self.probe, self.log_file = port, probe, log_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300.0) -> None:
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_file.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} exited at start-up:\n{tail}")
            try:
                url = f"http://127.0.0.1:{self.port}{self.probe}"
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {timeout} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pids(self, *, engine: bool) -> list[int]:
        """The server and its worker processes; with ``engine``, only its FalkorDB child."""
        children = _children(self.pid)
        if engine:
            return [c for c in children if _comm(c) == "redis-server"]
        return [self.pid, *(c for c in children if _comm(c) != "redis-server")]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def project_server(backend: str, data_dir: Path, port: int, workers: int, secret: str,
                   log_file: Path) -> Server:
    env = {**os.environ, "CG_SECRET": secret, "CG_LOG_LEVEL": "WARNING"}
    if backend == "embedded":
        for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
            env.pop(name, None)
    command = [sys.executable, "-m", "service.cli", "serve", "--backend", backend,
               "--data-dir", str(data_dir), "--port", str(port), "--workers", str(workers)]
    return Server(f"project ({backend})", command, env, ROOT, port, "/readyz", log_file)


def peer_server(port: int, shape: str, log_file: Path) -> Server:
    env = {**os.environ, "PEER_PORT": str(port), "CG_PEER_SHAPE": shape,
           "NODE_ENV": "production"}
    return Server("@neo4j/graphql", ["node", "server.mjs"], env, PEER_DIR, port,
                  "/graphql?query=%7B__typename%7D", log_file)
