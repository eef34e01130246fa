"""What record batches (demand records, teachers, teacher evidence) share in GraphQL: the
payload with typed row errors, the batch-size check, the resolver-info alias."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry

from graph.rowcheck import MAX_BATCH, BatchOutcome
from schema.context import Context
from schema.errors import ApiError, UserError

__all__ = ["Info", "RecordBatchPayload", "batch_payload", "batch_rows"]

Info = strawberry.Info[Context, Any]


@strawberry.type(description="The outcome of a record batch: the rows written, or (then "
                             "nothing was written) every bad row's error.")
class RecordBatchPayload:
    written: int = strawberry.field(description="Rows written (0 when there are errors).")
    errors: list[UserError] = strawberry.field(
        description="Every problem of every row: stable code, message, row index, field.")
    audit_entry_id: strawberry.ID | None = strawberry.field(
        default=None, description="The audit entry of the change, where changes are audited "
                                  "(demand records).")


def batch_payload(outcome: BatchOutcome, audit: str | None = None) -> RecordBatchPayload:
    return RecordBatchPayload(written=outcome.written, audit_entry_id=(
        strawberry.ID(audit) if audit and outcome.ok else None), errors=[
        UserError(code=e.code, message=e.message, index=e.index, field=e.field)
        for e in outcome.errors])


def batch_rows(items: Iterable[Any], rename: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Input objects as rows keyed like the files' columns (camelCase; ``rename`` maps an
    input field to its column, e.g. code → teacher)."""
    rows = [{(rename or {}).get(_camel(k), _camel(k)): v for k, v in vars(item).items()}
            for item in items]
    if len(rows) > MAX_BATCH:
        raise ApiError("BATCH_TOO_LARGE", f"at most {MAX_BATCH} rows per call", max=MAX_BATCH)
    return rows


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
