"""Registered Cypher text.

Every query the project runs is a module-level ``Cypher`` constant, so the catalog (and the
Neo4j linter test) can find all of them, and the stores refuse anything else: user input can
never become query text.
"""

from __future__ import annotations

__all__ = ["Cypher"]


class Cypher(str):
    """A Cypher statement written in the source, parameterised with ``$names``."""

    __slots__ = ()
