"""Every Cypher text the project can run, found by walking its modules.

The lint test feeds these to Neo4j's own Cypher linter, so the production dialect is
checked even where no Neo4j server is available.
"""

from __future__ import annotations

import importlib
import pkgutil

from graph.cypher import Cypher

__all__ = ["PACKAGES", "all_queries"]

PACKAGES = ("graph", "seed", "schema", "service")


def all_queries() -> dict[str, str]:
    """Qualified constant name → Cypher text, including the Neo4j schema DDL."""
    from graph.migrations import INDEXED, UNIQUE
    from graph.neo4j_store import schema_statements

    found: dict[str, str] = {}
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package]
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            modules.append(importlib.import_module(info.name))
        for module in modules:
            for name, value in vars(module).items():
                if isinstance(value, Cypher) and name.isupper():
                    found.setdefault(f"{module.__name__}.{name}", str(value))
    for index, statement in enumerate(schema_statements(UNIQUE, INDEXED)):
        found[f"graph.neo4j_store.schema_statements[{index}]"] = str(statement)
    return found
