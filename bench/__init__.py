"""The benchmark harness (``make bench``): one province-sized workload, measured the same way
every time, so performance claims can be checked and compared across commits."""

from __future__ import annotations

from bench.generate import Scale, Slice, generate
from bench.run import Options, run

__all__ = ["Options", "Scale", "Slice", "generate", "run"]
