"""A number every write to the store moves on: how readers notice that what they keep may
have changed, without asking the store.

Each store has one; it moves on after every ``write`` (and ``drop_all``), whatever the
write touched, so no write path can be forgotten. A reader that keeps something read from
the store notes the counter *before* its read and trusts what it kept while the counter
still shows that value: a write that committed after the note moves the counter on after
committing, so the next look sees the change and reads again (at worst once too often).

In one process the counter is an integer. Processes that share a data directory — the
HTTP workers of one ``serve``, and the CLI commands run beside it — share it through
8 bytes of a file under ``<data dir>/run/`` mapped into each of them: a look is one
memory read, a move an ``flock``-guarded increment. Service instances that share only the
store (a Neo4j cluster behind several hosts) do not see each other's counters; readers
bound what they keep by time for that case (``graph.framework_cache``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import mmap
import os
import struct
from pathlib import Path

__all__ = ["WriteCounter"]

log = logging.getLogger("competency_graph.store")

_SLOT = struct.Struct("=Q")


class WriteCounter:
    """This process's counter; ``shared`` gives one that sibling processes see too."""

    __slots__ = ("_fd", "_map", "_value", "path")

    def __init__(self) -> None:
        self._value = 0
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self.path: Path | None = None

    @classmethod
    def shared(cls, path: Path) -> WriteCounter:
        """The counter in the file ``path`` (made if missing), or this process's own when
        the file cannot be had (logged: other processes' writes are then noticed late)."""
        counter = cls()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("write counter %s unavailable (%s): this process's own", path, exc)
            return counter
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.fstat(fd).st_size < _SLOT.size:
                    os.ftruncate(fd, _SLOT.size)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
            counter._map = mmap.mmap(fd, _SLOT.size)
        except (OSError, ValueError) as exc:
            os.close(fd)
            log.warning("write counter %s unavailable (%s): this process's own", path, exc)
            return counter
        counter._fd, counter.path = fd, path
        return counter

    @property
    def value(self) -> int:
        if self._map is None:
            return self._value
        return int(_SLOT.unpack_from(self._map)[0])

    def bump(self) -> None:
        """A write has committed (or failed: it may have committed all the same)."""
        self._value += 1
        if self._map is None or self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            _SLOT.pack_into(self._map, 0, (_SLOT.unpack_from(self._map)[0] + 1) % 2**64)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._map is not None:
            with contextlib.suppress(BufferError):
                self._map.close()
            self._map = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
