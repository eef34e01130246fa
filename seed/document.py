"""A framework version as seed entries (the YAML format's data), read back from the graph, and
seed entries from other sources (a workbook, a CASE package) validated like the YAML files.

The workbook and CASE are other serialisations of the seed format: they convert to and from
these entries, and the seed validator and loader do the rest, so there is one set of rules and
one loader for every way a framework comes in.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from graph.content import FrameworkContent
from graph.dump import VersionDump, dump_version
from graph.store import GraphStore, Record
from seed.kinds import KINDS, Field, Kind, Part
from seed.validate import parse_entries

__all__ = ["Entries", "entries_from_dump", "entries_of_version", "validate_entries"]

Entries = dict[str, list[dict[str, Any]]]  # seed kind → entries, in the YAML files' shape


def _typed(value: Any, type_name: str) -> Any:
    if value is None:
        return None
    if type_name == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _field(node: Record, spec: Field, edges: Sequence[Record]) -> Any:
    if spec.edge is not None:
        return sorted(str(e["target"]) for e in edges if e["type"] == spec.edge)
    value = node.get(spec.key)
    if spec.type == "codes":
        return list(value) if value else None
    return _typed(value, spec.type)


def _node_part(node: Record, subnodes: Sequence[Record], part: Part) -> Any:
    """Sub-nodes (requirements, a major's offerings, an indicator's behaviours) as the seed's
    map (``keyed_by``, e.g. level → {proficiency, descriptors, source}) or list; a sub-node's
    source is written only where it differs from its owner's."""
    keyed: dict[str, Any] = {}
    listed: list[dict[str, Any]] = []
    order = part.order or ("rank",)
    for subnode in sorted(subnodes, key=lambda r: tuple(r.get(k) or 0 for k in order)):
        spec: dict[str, Any] = {}
        for sub in part.fields:
            if part.keyed_by and sub.key == part.keyed_by:
                continue
            value = _typed(subnode.get(sub.key), sub.type)
            if sub.key == "source" and value == node.get("source"):
                continue
            if value is not None:
                spec[sub.key] = value
        if part.keyed_by:
            keyed[str(subnode[part.keyed_by])] = spec
        else:
            listed.append(spec)
    return keyed if part.keyed_by else listed


def _progressions(code: str, levels: Sequence[str], edges: Sequence[Record]) -> list[Any]:
    """PROGRESSES_TO edges other than the implied chain of the competency's own levels."""
    implied = {(f"{code}@{a}", f"{code}@{b}") for a, b in itertools.pairwise(levels)}
    links = []
    for edge in edges:
        if edge["type"] != "PROGRESSES_TO" or (edge["source"], edge["target"]) in implied:
            continue
        target, level = str(edge["target"]).rsplit("@", 1)
        links.append({"from": str(edge["source"]).rsplit("@", 1)[1], "competency": target,
                      "level": level})
    return sorted(links, key=lambda link: (link["from"], link["competency"], link["level"]))


def _edge_part(part: Part, edges: Sequence[Record]) -> list[dict[str, Any]]:
    first, *rest = part.fields
    items = []
    for edge in edges:
        if edge["type"] != part.edge:
            continue
        item: dict[str, Any] = {first.key: edge["target"]}
        props = edge.get("props") or {}
        for sub in rest:
            value = _typed(props.get(sub.key), sub.type)
            if value is not None:
                item[sub.key] = value
        items.append(item)
    order = part.order or (first.key,)
    return sorted(items, key=lambda item: tuple(
        (0, item[k]) if item.get(k) is not None else (1, 0) for k in order))


def _entry(spec: Kind, node: Record, dump: VersionDump,
           by_source: Mapping[str, list[Record]],
           requirements: Mapping[str, list[Record]],
           owned: Mapping[tuple[str, str], list[Record]]) -> dict[str, Any]:
    code = str(node.get("code"))
    edges = by_source.get(code, [])
    entry: dict[str, Any] = {}
    value: Any
    for field_spec in spec.fields:
        value = _field(node, field_spec, edges)
        if value not in (None, []):
            entry[field_spec.key] = value
    for part in spec.parts:
        if part.node:
            value = _node_part(node, owned.get((part.label, code), []), part)
        elif part.key == "progressesTo":
            value = _progressions(code, list(node.get("levels") or []),
                                  [e for r in requirements.get(code, [])
                                   for e in by_source.get(f"requirement:{r['code']}", [])])
        elif part.edge is None and part.keyed_by:  # a map kept as ['KEY:value', ...]
            value = dict(str(item).split(":", 1) for item in node.get(part.key) or [])
        else:
            value = _edge_part(part, edges)
        if value:
            entry[part.key] = value
    return entry


def entries_from_dump(dump: VersionDump) -> Entries:
    """The seed entries a version's graph holds, every kind in ``seed.kinds.KINDS``."""
    requirements: dict[str, list[Record]] = defaultdict(list)
    for requirement in dump.nodes.get("Requirement", []):
        requirements[str(requirement["competency"])].append(requirement)
    owned: dict[tuple[str, str], list[Record]] = defaultdict(list)  # (label, owner) → nodes
    for spec in KINDS:
        for part in spec.parts:
            if part.node:
                for subnode in dump.nodes.get(part.label, []):
                    owned[(part.label, str(subnode.get(part.owner)))].append(subnode)
    entries: Entries = {}
    for spec in KINDS:
        if not spec.label:
            entries[spec.name] = [{f.key: dump.framework[f.key] for f in spec.fields
                                   if dump.framework.get(f.key) is not None}]
            continue
        by_source: dict[str, list[Record]] = defaultdict(list)
        for edge in dump.edges.get(spec.label, []):
            if edge["type"] != "PREVIOUS_VERSION":
                by_source[str(edge["source"])].append(edge)
        if spec.label == "Competency":  # progressions are edges between requirements
            for edge in dump.edges.get("Requirement", []):
                by_source[f"requirement:{edge['source']}"].append(edge)
        entries[spec.name] = [_entry(spec, node, dump, by_source, requirements, owned)
                              for node in dump.nodes.get(spec.label, [])]
    return entries


async def entries_of_version(store: GraphStore, fw: str) -> Entries | None:
    """Framework version ``fw`` as seed entries (None if there is no such version)."""
    dump = await dump_version(store, fw)
    return entries_from_dump(dump) if dump is not None else None


def validate_entries(entries: Mapping[str, Sequence[tuple[str, int, dict[str, Any]]]],
                     ) -> FrameworkContent:
    """Check entries from another source with the seed's own rules (``SeedInvalid`` lists
    every problem); each entry is (origin, entry number, data), data may carry ``__line__``."""
    return parse_entries(entries)
