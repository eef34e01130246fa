"""A whole framework version read back from the graph: its nodes and their outgoing edges,
label by label, for exports (framework workbooks, CASE packages).

Labels cannot be query parameters, so every label has registered texts of its own, built from
the label tuples below: a label added to the model is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["SHARED_LABELS", "VERSIONED_LABELS", "VersionDump", "dump_version"]

VERSIONED_LABELS = ("Industry", "Major", "Competency", "Requirement", "Course", "Assessment",
                    "Certification", "JobRole", "Program", "TeacherTier",
                    "TeacherStandard",
                    # the evaluation side (graph.indicators)
                    "MajorOffering", "Dimension", "Indicator", "Behaviour", "SampleItem",
                    "ExternalCompetency", "CrosswalkLink")
SHARED_LABELS = ("Level", "Layer", "Strand", "College")

FRAMEWORK_NODE = Cypher("MATCH (f:Framework {uid: $fw}) RETURN f {.*} AS node")
NEWER_FRAMEWORKS = Cypher(
    "MATCH (n:Framework)-[:PREVIOUS_VERSION]->(:Framework {uid: $fw}) RETURN n.uid AS fw")


def _versioned_nodes(label: str) -> Cypher:
    return Cypher(f"MATCH (n:{label} {{fw: $fw}}) RETURN n {{.*}} AS node ORDER BY n.code")


def _shared_nodes(label: str) -> Cypher:
    return Cypher(f"MATCH (n:{label}) RETURN n {{.*}} AS node ORDER BY n.code")


def _edges(label: str) -> Cypher:
    return Cypher(
        f"MATCH (a:{label} {{fw: $fw}})-[r]->(b) "
        "RETURN a.code AS source, type(r) AS type, b.code AS target, b.fw AS targetFw, "
        "properties(r) AS props ORDER BY source, type, target")


def _newer(label: str) -> Cypher:
    return Cypher(
        f"MATCH (n:{label})-[:PREVIOUS_VERSION]->(o:{label} {{fw: $fw}}) "
        "RETURN o.code AS code, n.fw AS fw ORDER BY code, fw")


def _registered(prefix: str, label: str, query: Cypher) -> Cypher:
    """Each text also becomes a module constant, so the catalog (and the linter) finds it."""
    globals()[f"{prefix}_{label.upper()}"] = query
    return query


NODES_OF: dict[str, Cypher] = {
    **{label: _registered("NODES", label, _versioned_nodes(label)) for label in VERSIONED_LABELS},
    **{label: _registered("NODES", label, _shared_nodes(label)) for label in SHARED_LABELS},
}
EDGES_OF = {label: _registered("EDGES", label, _edges(label)) for label in VERSIONED_LABELS}
NEWER_OF = {label: _registered("NEWER", label, _newer(label)) for label in VERSIONED_LABELS}


@dataclass
class VersionDump:
    framework: Record
    nodes: dict[str, list[Record]] = field(default_factory=dict)  # label → node properties
    edges: dict[str, list[Record]] = field(default_factory=dict)  # label → outgoing edges
    newer: dict[str, list[Record]] = field(default_factory=dict)  # label → copies in newer fws
    newer_frameworks: list[str] = field(default_factory=list)


async def dump_version(store: GraphStore, fw: str) -> VersionDump | None:
    """Everything of framework version ``fw`` (None if there is no such version)."""
    found = await store.read(FRAMEWORK_NODE, {"fw": fw})
    if not found:
        return None
    dump = VersionDump(found[0]["node"])
    for label, query in NODES_OF.items():
        dump.nodes[label] = [row["node"] for row in await store.read(query, {"fw": fw})]
    for label, query in EDGES_OF.items():
        dump.edges[label] = await store.read(query, {"fw": fw})
    for label, query in NEWER_OF.items():
        dump.newer[label] = await store.read(query, {"fw": fw})
    dump.newer_frameworks = [row["fw"] for row in await store.read(NEWER_FRAMEWORKS, {"fw": fw})]
    return dump
