"""What every part of the bench shares: options, figures, percentiles, process facts from /proc."""

from __future__ import annotations

import math
import os
import socket
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import Scale

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
NEO4J_LOCK = Path("/tmp/neo4j.lock")  # whoever uses the shared Neo4j holds it


@dataclass(frozen=True, slots=True)
class Options:
    scale: Scale = field(default_factory=Scale)
    repeats: int = 3
    quick: bool = False
    gap_samples: int = 400  # students per store-level timing loop
    http_requests: int = 2_000  # requests per HTTP timing loop, over 4 clients
    http_clients: int = 4
    everysec: bool = False  # also import results into a store with appendfsync everysec
    work_dir: Path | None = None  # default: a temporary directory, removed afterwards
    results_dir: Path = RESULTS_DIR
    progress: bool = True
    neo4j: Neo4jTarget | None = None  # set: the store is this Neo4j (``--backend neo4j``)
    neo4j_lock: Path | None = NEO4J_LOCK  # held while using it; None: the caller holds it

    @property
    def backend(self) -> str:
        return "embedded" if self.neo4j is None else "neo4j"


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    uri: str
    user: str
    password: str
    database: str = "neo4j"

    @classmethod
    def from_env(cls) -> Neo4jTarget | None:
        """NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD (and NEO4J_DATABASE); None unless all set."""
        uri, user, password = (os.environ.get(key) for key in
                               ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"))
        if not (uri and user and password):
            return None
        return cls(uri, user, password, os.environ.get("NEO4J_DATABASE") or "neo4j")

    def environment(self) -> dict[str, str]:
        return {"NEO4J_URI": self.uri, "NEO4J_USER": self.user,
                "NEO4J_PASSWORD": self.password, "NEO4J_DATABASE": self.database}


@dataclass
class Figure:
    label: str
    value: float | int | None
    unit: str
    target: str | None = None
    meets: bool | None = None
    samples: list[float] = field(default_factory=list)
    note: str | None = None


class Log:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.monotonic() - self.started:7.1f} s] {message}", file=sys.stderr,
                  flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: an observed value, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))




# ---- process facts from /proc -------------------------------------------------------------
def status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (the engine is started from a worker thread)."""
    try:
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
        return found
    except OSError:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                            found.append(int(entry))
                except OSError:
                    continue
        return found



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def neo4j_pid() -> int | None:
    """The Neo4j JVM on this machine ($NEO4J_PID, else a ``java`` process whose command line
    names neo4j), to read its CPU from /proc; None when there is none to be found."""
    if os.environ.get("NEO4J_PID"):
        return int(os.environ["NEO4J_PID"])
    for entry in os.listdir("/proc"):
        if entry.isdigit() and command(int(entry)) == "java":
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if b"neo4j" in handle.read().lower():
                        return int(entry)
            except OSError:
                continue
    return None
