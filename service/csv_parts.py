"""A large CSV cut into parts that separate processes read on their own.

A part starts at a byte offset that is a record boundary: just after a newline with an even
number of ``"`` bytes before it. That holds for RFC 4180 quoting, and in the encodings allowed
here (UTF-8, GBK, GB18030) the bytes 0x22 and 0x0A never occur inside a multi-byte character.
A reader of part ``j`` proves its start by parsing everything before it strictly (``count``):
a stray quote that fooled the parity, or a newline inside a quoted field, fails that parse,
and the import checks the file in one process instead. Anything else odd (.xlsx, UTF-16,
lone carriage returns, a quote or newline as delimiter) is never cut.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from service.tabular import Table

__all__ = ["Prefix", "count", "split_points", "targets"]

_SPLITTABLE = frozenset({"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii"})


def split_points(table: Table, parts: int, overhead: float = 0.1) -> list[int]:
    """Where parts 1.. of ``table`` start (byte offsets), or [] when it is not to be cut.
    A reader of part ``j`` first counts the records before it (``overhead``: what counting a
    byte costs, as a share of checking it), so later parts are made smaller to end together."""
    if (parts < 2 or table.encoding is None or table.delimiter in '"\r\n'
            or codecs.lookup(table.encoding).name not in _SPLITTABLE):
        return []
    data = table.path.read_bytes()
    if data.count(b"\r") != data.count(b"\r\n"):
        return []  # lone carriage returns end records too
    points: list[int] = []
    header_end = _boundary_after(data, 0)
    for target in targets(len(data), parts, overhead):
        point = _boundary_after(data, int(target))
        if (point is None or point >= len(data) or header_end is None or point <= header_end
                or (points and point <= points[-1])):
            break
        points.append(point)
    return points


def targets(size: int, parts: int, overhead: float = 0.1) -> list[float]:
    """Where parts 1.. would start in a file of ``size`` bytes for equal work: part j costs
    its own bytes plus ``overhead`` × the bytes before it."""
    grow = (1 - overhead) ** parts
    equal = size * overhead / (1 - grow) if overhead else size / parts
    found, target = [], 0.0
    for _ in range(1, parts):
        target = target * (1 - overhead) + equal
        found.append(target)
    return found


def _boundary_after(data: bytes, target: int) -> int | None:
    """The first offset at or after ``target`` that follows a newline outside quotes."""
    quotes = data.count(b'"', 0, target)
    position = target
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            return None
        quotes += data.count(b'"', position, newline)
        if quotes % 2 == 0:
            return newline + 1
        position = newline + 1


@dataclass(frozen=True, slots=True)
class Prefix:
    """What comes before a part: its records (the header one included) and the data rows
    ``Table.rows`` yields of them."""

    records: int
    rows: int


def count(table: Table, stop: int, start: int = 0, before: int = 0) -> Prefix | None:
    """The records and rows of bytes ``start``..``stop`` (record boundaries; ``before``
    records come before ``start``), parsed strictly; None when they do not parse as whole
    records (``stop`` falls in a quoted field, a stray quote, a field over the limit)."""
    records = before
    with table.text(start) as text:
        bounded = io.TextIOWrapper(io.BufferedReader(_Bounded(text.buffer, stop - start)),
                                   encoding=text.encoding, newline="")
        reader = csv.reader(bounded, delimiter=table.delimiter, strict=True)

        def counted() -> Iterator[list[Any]]:
            nonlocal records
            for values in reader:
                records += 1
                yield values

        data: Iterator[list[Any]] = counted()
        try:
            if start == 0:  # the header
                data = itertools.islice(data, 1, None)
            rows = table.count(data)
        except csv.Error:
            return None
    return Prefix(records, rows)


class _Bounded(io.RawIOBase):
    """The next ``left`` bytes of a binary stream, as a stream of its own."""

    def __init__(self, stream: Any, left: int) -> None:
        self._stream, self._left = stream, left

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self._left)
        if wanted <= 0:
            return 0
        data = self._stream.read(wanted)
        buffer[:len(data)] = data
        self._left -= len(data)
        return len(data)

