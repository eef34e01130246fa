"""Framework versions in and out through the seed's own validator and loader."""

from __future__ import annotations

from graph.content import FrameworkContent, LoadOutcome, load_framework_content
from graph.framework import FrameworkRepository
from graph.store import GraphStore
from seed.document import Entries, entries_of_version

__all__ = ["FrameworkNotDraft", "import_framework_content", "version_entries"]


class FrameworkNotDraft(ValueError):
    """Imports go into a draft version: a published or deprecated one stays as it is."""


async def version_entries(store: GraphStore, fw: str) -> Entries:
    entries = await entries_of_version(store, fw)
    if entries is None:
        raise LookupError(f"no framework version {fw!r}")
    return entries


async def import_framework_content(store: GraphStore, content: FrameworkContent) -> LoadOutcome:
    """Write validated content as a draft: a new version, or a draft replaced whole."""
    existing = await FrameworkRepository(store).framework(content.uid)
    if existing is not None and existing.get("status") != "draft":
        raise FrameworkNotDraft(
            f"framework {content.uid} exists and is {existing.get('status')}; import it as a "
            "new version (--version)")
    return await load_framework_content(store, content)
