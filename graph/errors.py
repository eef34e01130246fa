"""Store-level failures, independent of the backend that raised them."""

from __future__ import annotations

__all__ = ["StoreError", "StoreTimeout", "StoreUnavailable", "UniquenessViolation"]


class StoreError(RuntimeError):
    """The graph store failed to run a query."""


class StoreUnavailable(StoreError):
    """The graph store cannot be reached or started."""


class StoreTimeout(StoreError):
    """A read ran past the timeout its caller set (``GraphStore.read(..., timeout=)``)."""


class UniquenessViolation(StoreError):
    """A write would create a second node with the same unique key."""
