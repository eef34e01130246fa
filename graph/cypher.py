"""Registered Cypher text.

Every query the project runs is a module-level ``Cypher`` constant, so the catalog (and the
Neo4j linter test) can find all of them, and the stores refuse anything else: user input can
never become query text.
"""

from __future__ import annotations

__all__ = ["Cypher", "OneRow"]


class Cypher(str):
    """A Cypher statement written in the source, parameterised with ``$names``."""

    __slots__ = ()


class OneRow(Cypher):
    """A read whose answer is one row (a node by its key, a student's whole report): the
    Neo4j store runs it on the event loop rather than its threads (``graph.neo4j_store``),
    since for one row the hand-off to a thread costs more than the row. Its text is an
    ordinary ``Cypher``; the embedded store runs it like any other."""

    __slots__ = ()
