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
