"""The validation kit every edit shares: one batch's view of a draft version (what
exists, the errors so far), the field checks, and the write/relink/audit helpers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph import rules
from graph.cypher import Cypher
from graph.editing.audit import Actor, record_audit
from graph.editing.errors import (
    DUPLICATE_CODE,
    FRAMEWORK_FROZEN,
    FRAMEWORK_NOT_FOUND,
    INVALID_VALUE,
    MISSING_FIELD,
    EditError,
    EditResult,
)
from graph.framework import FrameworkRepository
from graph.ids import element_uid
from graph.rules import RuleError
from graph.store import GraphStore, Record

Row = dict[str, Any]

_TEXTS = ("nameZh", "nameEn", "source")
_OPTIONAL_TEXTS = ("descriptionZh", "descriptionEn")

GLOBAL_CODES = Cypher(
    "MATCH (n:Level) RETURN 'Level' AS label, n.code AS code, n.rank AS rank, "
    "n.maxProficiency AS top "
    "UNION ALL MATCH (n:Layer) RETURN 'Layer' AS label, n.code AS code, null AS rank, "
    "null AS top "
    "UNION ALL MATCH (n:Strand) RETURN 'Strand' AS label, n.code AS code, null AS rank, "
    "null AS top "
    "UNION ALL MATCH (n:College) RETURN 'College' AS label, n.code AS code, null AS rank, "
    "null AS top"
)
# What validation needs of every element of a version: one index-backed match per label.
VERSION_CODES = Cypher(
    "MATCH (n:Competency {fw: $fw}) RETURN 'Competency' AS label, n.code AS code, "
    "n.levels AS levels, null AS level, null AS major "
    "UNION ALL MATCH (n:Major {fw: $fw}) RETURN 'Major' AS label, n.code AS code, "
    "n.levels AS levels, null AS level, null AS major "
    "UNION ALL MATCH (n:Industry {fw: $fw}) RETURN 'Industry' AS label, n.code AS code, "
    "null AS levels, null AS level, null AS major "
    "UNION ALL MATCH (n:Course {fw: $fw}) RETURN 'Course' AS label, n.code AS code, "
    "null AS levels, n.level AS level, null AS major "
    "UNION ALL MATCH (n:Assessment {fw: $fw}) RETURN 'Assessment' AS label, n.code AS code, "
    "null AS levels, n.level AS level, null AS major "
    "UNION ALL MATCH (n:JobRole {fw: $fw}) RETURN 'JobRole' AS label, n.code AS code, "
    "null AS levels, n.level AS level, null AS major "
    "UNION ALL MATCH (n:Program {fw: $fw}) RETURN 'Program' AS label, n.code AS code, "
    "null AS levels, n.level AS level, n.major AS major"
)

# A relink sets the edges of one type from each row's node to exactly ``row.links``:
# stale edges are deleted and wanted ones merged (with their properties) in one statement.
_RELINK = (
    "UNWIND $rows AS row MATCH (a:{source} {{uid: row.uid}}) "
    "OPTIONAL MATCH (a)-[old:{rel}]->(b:{target}) WHERE NOT b.{key} IN row.targets "
    "DELETE old "
    "WITH DISTINCT a, row UNWIND row.links AS link "
    "MATCH (b:{target} {{{key}: link.target}}) "
    "MERGE (a)-[e:{rel}]->(b) SET e += link.props"
)


def relink(source: str, rel: str, target: str, key: str = "uid") -> Cypher:
    """Labels and types cannot be parameters: one registered text per (label, type)."""
    return Cypher(_RELINK.format(source=source, rel=rel, target=target, key=key))


class Batch:
    """One mutation's view of a draft version: what exists, and the errors found so far."""

    def __init__(self, store: GraphStore, fw: str, label: str, rows: Sequence[Row]) -> None:
        self.store = store
        self.fw = fw
        self.label = label
        self.rows = list(rows)
        self.errors: list[EditError] = []
        self.levels: dict[str, tuple[int, int]] = {}  # code → (rank, maxProficiency)
        self.level_max: dict[str, int] = {}  # code → maxProficiency
        self.globals: dict[str, set[str]] = defaultdict(set)
        self.codes: dict[str, dict[str, Record]] = defaultdict(dict)  # label → code → info
        self.existing: dict[str, Record] = {}  # code → stored props, for rows of the batch

    def error(self, code: str, message: str, index: int | None = None,
              field: str | None = None) -> None:
        self.errors.append(EditError(code, message, index, field))

    def refuse(self, error: RuleError | None, index: int | None,
               field: str | None = None) -> bool:
        """Record a broken framework rule (``graph.rules``) at this row; True if it was."""
        if error is None:
            return False
        self.errors.append(error.at(index=index, field=field or error.field))
        return True

    async def open(self) -> bool:
        """Refuse a missing or frozen version; read what validation needs."""
        framework = await FrameworkRepository(self.store).framework(self.fw)
        if framework is None:
            self.error(FRAMEWORK_NOT_FOUND, f"no framework version {self.fw!r}")
            return False
        status = framework.get("status", "draft")
        if status != "draft":
            self.error(FRAMEWORK_FROZEN, f"framework {self.fw} is {status} and frozen: "
                       "make a new version with createFrameworkVersion and edit that")
            return False
        for row in await self.store.read(GLOBAL_CODES):
            self.globals[row["label"]].add(row["code"])
            if row["label"] == "Level":
                self.levels[row["code"]] = (int(row["rank"]), int(row["top"]))
                self.level_max[row["code"]] = int(row["top"])
        for row in await self.store.read(VERSION_CODES, {"fw": self.fw}):
            self.codes[row["label"]][row["code"]] = row
        seen: dict[str, int] = {}
        for index, row in enumerate(self.rows):
            code = row.get("code")
            if self.refuse(rules.code_error(code), index, "code"):
                continue
            assert isinstance(code, str)
            if code in seen:
                self.error(DUPLICATE_CODE, f"{code} appears twice in the batch (first at "
                           f"index {seen[code]})", index, "code")
            else:
                seen[code] = index
        uids = [element_uid(self.fw, code) for code in seen]
        stored = await FrameworkRepository(self.store).nodes_by_uid(self.label, uids)
        self.existing = {node["code"]: node for node in stored if node is not None}
        return True

    def batch_codes(self) -> list[str]:
        return [r["code"] for r in self.rows if isinstance(r.get("code"), str)]

    def uid(self, code: str) -> str:
        return element_uid(self.fw, code)

    def is_new(self, row: Row) -> bool:
        return row.get("code") not in self.existing

    def known(self, label: str, code: Any, index: int, field: str,
              extra: Iterable[str] = ()) -> bool:
        """``code`` names an element of ``label`` in this version (or in ``extra``)."""
        pool = self.globals[label] if label in {"Level", "Layer", "Strand", "College"} else (
            self.codes[label])
        return not self.refuse(rules.unknown_code_error(code, {*pool, *extra}, label, field,
                                                        scope=self.fw), index, field)

    def props(self, row: Row, index: int, keys: Sequence[str] = ()) -> dict[str, Any]:
        """The element's full props after this row: stored values, overwritten where given."""
        code = str(row.get("code"))
        props: dict[str, Any] = {k: v for k, v in self.existing.get(code, {}).items()
                                 if k not in {"uid", "fw"}}
        props.update({"code": code, "uid": self.uid(code), "fw": self.fw})
        for key in _TEXTS:
            if key in row:
                value = row[key]
                if value is None or not str(value).strip():
                    self.error(MISSING_FIELD, f"{key} cannot be empty", index, key)
                else:
                    props[key] = str(value).strip()
            elif self.is_new(row):
                self.error(MISSING_FIELD, f"a new element needs {key}", index, key)
        for key in _OPTIONAL_TEXTS:
            if key in row:
                value = row[key]
                props[key] = str(value).strip() if value and str(value).strip() else None
            else:
                props.setdefault(key, None)
        for key in keys:
            if key in row:
                if row[key] is None or row[key] == "":
                    self.error(MISSING_FIELD, f"{key} cannot be empty", index, key)
                props[key] = row[key]
            elif self.is_new(row):
                self.error(MISSING_FIELD, f"a new element needs {key}", index, key)
            props.setdefault(key, None)
        return props

    def proficiency(self, value: Any, level: str | None, index: int, field: str,
                    *, design: bool = False) -> int | None:
        """1–4, and within the level's maximum unless the source says why (``design: ...``)."""
        error = rules.proficiency_error(value, level, self.level_max, design=design)
        self.refuse(error, index, field)
        if error is not None and error.code == rules.PROFICIENCY_OUT_OF_RANGE:
            return None
        return value if isinstance(value, int) else None

    def number(self, value: Any, index: int, field: str, low: float, high: float,
               *, whole: bool = False, open_low: bool = False) -> Any:
        error = rules.number_error(value, field, low, high, whole=whole, open_low=open_low)
        return None if self.refuse(error, index, field) else value

    def level(self, props: dict[str, Any], index: int) -> str | None:
        level = props.get("level")
        if level is not None and self.known("Level", level, index, "level"):
            return str(level)
        return None

    def cycle(self, edges: Iterable[Record], label: str, what: str) -> None:
        """Refuse a prerequisite cycle among stored edges with this batch's lists applied."""
        graph: dict[str, list[str]] = defaultdict(list)
        for edge in edges:
            graph[edge["source"]].append(edge["target"])
        positions: dict[str, int] = {}
        for index, row in enumerate(self.rows):
            if isinstance(row.get("code"), str):
                positions[row["code"]] = index
                if "requires" in row:
                    graph[row["code"]] = [c for c in row["requires"] or []
                                          if isinstance(c, str) and c != row["code"]]
        found = rules.cycle_error(graph, what, positions)
        if found is not None:
            start, error = found
            self.refuse(error, positions.get(start), "requires")

    def requires(self, row: Row, index: int, label: str) -> list[str] | None:
        """The row's prerequisite list, checked; ``None`` when the row keeps the stored one."""
        if "requires" not in row:
            return None
        codes: list[str] = []
        for position, code in enumerate(row["requires"] or []):
            where = f"requires[{position}]"
            if code == row.get("code"):
                self.refuse(rules.self_requirement_error(code), index, where)
            elif code in codes:
                self.error(INVALID_VALUE, f"{code} is listed twice", index, where)
            elif self.known(label, code, index, where,
                            self.batch_codes() if label == self.label else ()):
                codes.append(code)
        return codes

    def links(self, row: Row, index: int, key: str, level: str | None, design: bool,
              recheck: list[Record] | None, extra: Any = None) -> list[Row] | None:
        """Competency links (teaches, measures, needs, overrides) as ``[{target, props}]``;
        ``None`` keeps the stored links.

        ``recheck`` holds the stored links when the element's level changes: they must fit
        the new level too (a course moved to 中职 cannot keep teaching at 设计 level).
        """
        if key in row:
            specs = list(row[key] or [])
        elif recheck is not None:
            specs = [{"competency": r["node"]["code"],
                      **{k: r.get(k) for k in ("proficiency", "weight", "essential")
                         if k in r}} for r in recheck]
        else:
            if self.is_new(row) and key != "overrides":
                self.error(MISSING_FIELD, f"a new element needs {key} (a list)", index, key)
            return [] if self.is_new(row) else None
        result: list[Row] = []
        seen: set[str] = set()
        for position, spec in enumerate(specs):
            where = f"{key}[{position}]"
            competency = spec.get("competency")
            if competency in seen:
                self.error(INVALID_VALUE, f"{competency} is listed twice", index, where)
                continue
            if not self.known("Competency", competency, index, f"{where}.competency"):
                continue
            seen.add(competency)
            value = self.proficiency(spec.get("proficiency"), level, index,
                                     f"{where}.proficiency", design=design)
            props: dict[str, Any] = {"proficiency": value}
            if extra is not None:
                props.update(extra(spec, index, where))
            result.append({"target": self.uid(competency), "props": props})
        return result


def link_rows(links: Iterable[Row]) -> dict[str, Any]:
    links = list(links)
    return {"links": links, "targets": [link["target"] for link in links]}


def _summary(batch: Batch, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    created = [r["code"] for r in batch.rows if batch.is_new(r)]
    updated = {r["code"]: sorted(k for k in r if k != "code")
               for r in batch.rows if not batch.is_new(r)}
    return {"created": created, "updated": updated, **(extra or {})}


async def write(store: GraphStore, steps: Sequence[tuple[Cypher, list[Row]]]) -> None:
    for query, rows in steps:
        if rows:
            await store.write(query, {"rows": rows})


async def finish(batch: Batch, actor: Actor, mutation: str,
                  extra: Mapping[str, Any] | None = None) -> EditResult:
    codes = [str(r["code"]) for r in batch.rows]
    audit = await record_audit(batch.store, actor, mutation, batch.fw, codes,
                               _summary(batch, extra))
    return EditResult(codes=codes, audit=audit)


def recheck(batch: Batch, row: Row, level: str | None,
             stored: dict[str, list[Record]]) -> list[Record] | None:
    """The stored links of an element whose level this row changes (else None)."""
    code = str(row.get("code"))
    if batch.is_new(row) or batch.existing[code].get("level") == level:
        return None
    return stored.get(batch.uid(code), [])


async def stored_edges(batch: Batch, name: str) -> dict[str, list[Record]]:
    uids = [batch.uid(code) for code in batch.existing]
    rows = await FrameworkRepository(batch.store).edges(name, uids)
    return dict(zip(uids, rows, strict=True))
