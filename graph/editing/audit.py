"""The audit trail: one ``(:AuditEntry)`` per accepted change — who, when, what."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.cypher import Cypher
from graph.store import GraphStore, Record

RECORD_AUDIT = Cypher(
    "MATCH (f:Framework {uid: $fw}) "
    "CREATE (a:AuditEntry {uid: $uid, at: $at, subject: $subject, role: $role, "
    "mutation: $mutation, fw: $fw, codes: $codes, summary: $summary}) "
    "MERGE (a)-[:ABOUT]->(f) "
    "SET f.updatedAt = $at, "
    "f.contentHash = CASE WHEN $edited THEN null ELSE f.contentHash END "
    "RETURN a.uid AS uid"
)
AUDIT_PAGE = Cypher(
    "MATCH (a:AuditEntry) WHERE ($fw IS NULL OR a.fw = $fw) "
    "AND ($after IS NULL OR a.uid < $after) "
    "RETURN a {.*} AS node ORDER BY a.uid DESC LIMIT $limit"
)
AUDIT_COUNT = Cypher(
    "MATCH (a:AuditEntry) WHERE ($fw IS NULL OR a.fw = $fw) RETURN count(a) AS total"
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: the token's subject and role (recorded, never a person's name)."""

    subject: str
    role: str


def now_iso() -> str:
    """ISO-8601 UTC with microseconds: sortable as text (FalkorDB has no datetime())."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


async def record_audit(store: GraphStore, actor: Actor, mutation: str, fw: str,
                       codes: Sequence[str], summary: Mapping[str, Any], *,
                       edited: bool = True, at: str | None = None) -> str:
    """Write one audit entry; an edit also drops the framework's seed ``contentHash``.

    The hash says "this version holds exactly that seed"; after an edit it no longer does,
    so a later seed load must not report the version as unchanged.
    """
    at = at or now_iso()
    uid = f"{at}#{secrets.token_hex(4)}"  # time first: the uid orders entries
    rows = await store.write(RECORD_AUDIT, {
        "uid": uid, "at": at, "subject": actor.subject, "role": actor.role,
        "mutation": mutation, "fw": fw, "codes": list(codes), "edited": edited,
        "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str),
    })
    return str(rows[0]["uid"]) if rows else uid


async def audit_page(store: GraphStore, fw: str | None, after: str | None,
                     limit: int) -> list[Record]:
    """Newest first; ``after`` is the uid of the last entry of the previous page."""
    rows = await store.read(AUDIT_PAGE, {"fw": fw, "after": after, "limit": limit})
    return [row["node"] for row in rows]


async def audit_count(store: GraphStore, fw: str | None) -> int:
    rows = await store.read(AUDIT_COUNT, {"fw": fw})
    return int(rows[0]["total"]) if rows else 0
