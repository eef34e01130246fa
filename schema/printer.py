"""Print the SDL: ``python -m schema.printer > schema.graphql`` (snapshot-tested)."""

from __future__ import annotations

from schema import build_schema


def printed_schema() -> str:
    return build_schema().as_str() + "\n"


if __name__ == "__main__":
    print(printed_schema(), end="")
