"""A cheap execution path for what is asked most: same API, same answers, byte for byte.

Why: graphql-core and strawberry spend ~15 µs on every field they complete (resolve info,
awaitable checks, DataLoader futures, field extensions, event-loop rounds); query (a) of the
peer bench completes ~1,000 fields for 50 competencies, so its CPU was GraphQL machinery,
not data. Two kinds of request have nothing left to wait for after one lookup, so this path
walks the document once, synchronously:

- browsing a published framework version held by the process's cache
  (``schema.fastpath.framework``);
- a student's report — the root ``student`` (its permission class asked as strawberry
  asks it) reads the student with the row of its report in one round trip; standing,
  readiness, placement and the own-program gaps are arithmetic on that row, computed by
  the strawberry resolvers themselves, called directly (``schema.fastpath.calls``).

It takes only what it can answer exactly and gives up (``None``: run graphql-core) on
anything else — fragments, directives, a repeated response key, a field it does not know
(fields that need a DataLoader), a draft, a refused permission, an error of any kind, a
null in a non-null position — so errors, drafts and the rest of the API keep their one
implementation. ``tests/test_fastpath.py`` runs documents both ways and compares the
answers.
"""

from schema.fastpath.plan import FastPath, FastPlan

__all__ = ["FastPath", "FastPlan"]
