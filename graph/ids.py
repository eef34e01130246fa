"""Identifiers of versioned framework content.

A framework version is ``CODE@VERSION`` (e.g. ``AIL@2025.1``); an element of it is
``CODE@VERSION|ELEMENT`` so every version can hold its own copy of ``ELEMENT``.
"""

from __future__ import annotations

__all__ = ["LEVEL_ORDER", "element_uid", "framework_uid", "requirement_uid"]

LEVEL_ORDER = ("ZZ", "GZ", "BK")


def framework_uid(code: str, version: str) -> str:
    return f"{code}@{version}"


def element_uid(framework: str, code: str) -> str:
    return f"{framework}|{code}"


def requirement_uid(framework: str, competency_code: str, level: str) -> str:
    return f"{framework}|{competency_code}@{level}"
