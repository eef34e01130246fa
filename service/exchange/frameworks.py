"""Framework versions in and out through the seed's own validator and loader."""

from __future__ import annotations

from typing import Any

from graph.content import FrameworkContent, LoadOutcome, load_framework_content
from graph.dump import dump_version
from graph.framework import FrameworkRepository
from graph.store import GraphStore
from seed.document import Entries, entries_from_dump, entries_of_version
from service.exchange.case import package_of

__all__ = ["FrameworkNotDraft", "case_package", "import_framework_content", "version_entries"]


class FrameworkNotDraft(ValueError):
    """Imports go into a draft version: a published or deprecated one stays as it is."""


async def version_entries(store: GraphStore, fw: str) -> Entries:
    entries = await entries_of_version(store, fw)
    if entries is None:
        raise LookupError(f"no framework version {fw!r}")
    return entries


async def case_package(store: GraphStore, fw: str, base: str) -> dict[str, Any]:
    """The CASE 1.1 CFPackage of version ``fw``, its URIs under ``base`` (http://host:port)."""
    dump = await dump_version(store, fw)
    if dump is None:
        raise LookupError(f"no framework version {fw!r}")
    newer: dict[str, list[str]] = {"": dump.newer_frameworks}
    for label in ("Competency", "Requirement"):
        for row in dump.newer.get(label, []):
            newer.setdefault(str(row["code"]), []).append(str(row["fw"]))
    return package_of(entries_from_dump(dump), dump.framework, base=base, newer=newer)


async def import_framework_content(store: GraphStore, content: FrameworkContent) -> LoadOutcome:
    """Write validated content as a draft: a new version, or a draft replaced whole."""
    existing = await FrameworkRepository(store).framework(content.uid)
    if existing is not None and existing.get("status") != "draft":
        raise FrameworkNotDraft(
            f"framework {content.uid} exists and is {existing.get('status')}; import it as a "
            "new version (--version)")
    return await load_framework_content(store, content)
