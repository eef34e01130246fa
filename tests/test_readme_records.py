"""The README's examples of the skills-demand database and of teachers run as written, with
the role the README says each needs."""

from __future__ import annotations

import re
from pathlib import Path

from graph.embedded import EmbeddedStore
from schema import ANONYMOUS, Context, Principal, Role, build_schema
from seed import load_seed

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = {"## 技能需求数据库": Principal(Role.DESIGNER, "designer-1"),
            "## 教师人工智能教学胜任力": Principal(Role.COLLEGE, "office-gz", "COL-DEMO-GZ")}


def operations(heading: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```graphql\n(.*?)```", section, flags=re.S)
    return [op.strip() for block in blocks
            for op in re.split(r"\n(?=query |mutation )", block) if op.strip()]


async def test_the_readme_examples_run(store: EmbeddedStore) -> None:
    await load_seed(store)  # the examples record what they then read
    schema = build_schema()
    ran = 0
    for heading, principal in SECTIONS.items():
        for operation in operations(heading):
            name = operation.split("{", 1)[0].split()[1]
            caller = ANONYMOUS if name == "Standard" else principal
            outcome = await schema.execute(operation, context_value=Context(store, caller))
            assert outcome.errors is None, (name, outcome.errors)
            payloads = [v for v in (outcome.data or {}).values() if isinstance(v, dict)]
            assert all(not p.get("errors") for p in payloads), (name, payloads)
            ran += 1
    assert ran == 6
