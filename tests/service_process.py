"""A real `competency-graph serve` process for HTTP tests: started, awaited, stopped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from schema.access import Role
from service.auth import issue_token

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, data_dir: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args, "--data-dir",
                           str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


@dataclass
class Service:
    base: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    @property
    def graphql(self) -> str:
        return f"{self.base}/graphql"

    def token(self, role: Role, college: str | None = None) -> str:
        secret = (self.data_dir / "secret.key").read_text().strip()
        return issue_token(secret, role, subject=f"test-{role.value}", college=college)

    def headers(self, role: Role | None = None, college: str | None = None) -> dict[str, str]:
        if role is None:
            return {}
        return {"Authorization": f"Bearer {self.token(role, college)}"}

    def engine_pid(self) -> int:
        return int(json.loads((self.data_dir / "engine.json").read_text())["engine"])

    def post(self, query: str, variables: dict[str, Any] | None = None, *,
             role: Role | None = None, college: str | None = None,
             timeout: float = 60) -> httpx.Response:
        return httpx.post(self.graphql, json={"query": query, "variables": variables},
                          headers={**self.headers(role, college),
                                   "Accept": "application/graphql-response+json"},
                          timeout=timeout)

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def start_service(data_dir: Path, *, workers: int = 1,
                  env: dict[str, str] | None = None) -> Service:
    """Load the seed into ``data_dir`` and serve it on a free port; waits until ready."""
    loaded = cli("load", data_dir=data_dir)
    assert loaded.returncode == 0, loaded.stderr
    port = free_port()
    log_path = data_dir.parent / f"{data_dir.name}-service.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed by Service.stop
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(data_dir),
         "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
        env={**os.environ, "CG_FSYNC": "always", **(env or {})})
    service = Service(f"http://127.0.0.1:{port}", data_dir, process, log_path, log)
    if not wait_ready(service.base, 60):
        service.stop()
        raise AssertionError(f"service did not become ready: {service.log_text()[-3000:]}")
    return service


def wait_ready(base: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False
