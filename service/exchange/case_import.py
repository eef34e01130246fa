"""A CASE 1.1 CFPackage (a JSON file, or a URL on this machine) read into framework content.

The package is first checked against the CASE field lists; then its items become seed entries
(competencies from the item tree, their English from translation items, prerequisites and
progressions from ``precedes`` associations), the ``extensions.competencyGraph`` parts fill in
what CASE cannot carry, and the seed validator checks the whole as a draft version.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.content import FrameworkContent
from seed.document import Entries
from seed.validate import SeedInvalid, parse_entries
from service.exchange.case import EXT
from service.exchange.case_schema import package_problems

__all__ = ["CaseInvalid", "entries_from_package", "load_package", "read_case"]

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAX_BYTES = 64 * 1024 * 1024


class CaseInvalid(ValueError):
    """The package is not one we can import; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the CASE package; nothing was "
                         "written:\n" + "\n".join(problems[:200]))


def load_package(source: str | Path) -> Any:
    """The JSON of a package file, or of a URL on this machine (http://127.0.0.1:…)."""
    text = str(source)
    if text.startswith(("http://", "https://")):
        host = urllib.parse.urlsplit(text).hostname or ""
        if host not in LOCAL_HOSTS:
            raise CaseInvalid([f"{text}: only URLs on this machine (localhost) are fetched"])
        try:
            with urllib.request.urlopen(text, timeout=60) as response:
                data = response.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CaseInvalid([f"{text}: cannot fetch ({exc})"]) from exc
    else:
        path = Path(text)
        if not path.is_file():
            raise CaseInvalid([f"{text}: no such file"])
        data = path.read_bytes()[:MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        raise CaseInvalid([f"{text}: larger than {MAX_BYTES // 2**20} MiB"])
    try:
        package = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CaseInvalid([f"{text}: not JSON ({exc})"]) from exc
    if isinstance(package, dict) and "CFPackage" in package:  # some servers wrap it
        package = package["CFPackage"]
    return package


def _english(item: dict[str, Any] | None, name_key: str, text_key: str) -> dict[str, Any]:
    if item is None:
        return {}
    short = item.get("abbreviatedStatement")
    full = item.get("fullStatement")
    if short is None:
        return {name_key: full}
    return {name_key: short, **({text_key: full} if full and full != short else {})}


def entries_from_package(package: Any) -> Entries:
    """Seed entries of a CFPackage (raises ``CaseInvalid`` for a malformed package)."""
    problems = package_problems(package)
    if problems:
        raise CaseInvalid(problems)
    extension = (package.get("extensions") or {}).get(EXT) or {}
    entries: Entries = {kind: list(items) for kind, items in
                        (extension.get("kinds") or {}).items()}
    document = package["CFDocument"]
    meta = dict((document.get("extensions") or {}).get(EXT) or {})
    meta.update({"nameZh": document["title"], "version": document.get("version")})
    if document.get("description"):
        meta["descriptionZh"] = document["description"]
    entries["framework"] = [meta]
    items = {i["identifier"]: i for i in package.get("CFItems", [])}
    translation: dict[str, dict[str, Any]] = {}
    parents: dict[str, list[str]] = defaultdict(list)
    part_of: dict[str, list[str]] = defaultdict(list)
    precedes: list[tuple[str, str]] = []
    for association in package.get("CFAssociations", []):
        origin = association["originNodeURI"]["identifier"]
        target = association["destinationNodeURI"]["identifier"]
        kind = association["associationType"]
        if kind == "isTranslationOf" and items.get(origin, {}).get("language") == "en":
            translation[target] = items[origin]
        elif kind == "isChildOf":
            parents[origin].append(target)
        elif kind == "isPartOf":
            part_of[target].append(origin)
        elif kind == "precedes":
            precedes.append((origin, target))

    def typed(identifier: str, type_name: str) -> bool:
        item = items.get(identifier, {})
        return item.get("CFItemType") == type_name and item.get("language", "zh") != "en"

    def code(identifier: str) -> str:
        return str(items[identifier].get("humanCodingScheme"))

    ranks = {e.get("code"): e.get("rank", 0) for e in entries.get("levels", [])}
    competencies = []
    for identifier, item in items.items():
        if not typed(identifier, "Competency"):
            continue
        entry: dict[str, Any] = {"code": item.get("humanCodingScheme")}
        entry.update(_english(item, "nameZh", "descriptionZh"))
        entry.update(_english(translation.get(identifier), "nameEn", "descriptionEn"))
        entry.update((item.get("extensions") or {}).get(EXT) or {})
        layer = next((code(p) for p in parents[identifier] if typed(p, "Layer")), None)
        if layer is not None:
            entry["layer"] = layer
        requires = sorted(code(a) for a, b in precedes
                          if b == identifier and typed(a, "Competency"))
        if requires:
            entry["requires"] = requires
        requirements: dict[str, Any] = {}
        for part in sorted((p for p in part_of[identifier] if typed(p, "Level requirement")),
                           key=lambda p: ranks.get(code(p).rsplit("@", 1)[-1], 0)):
            spec = dict((items[part].get("extensions") or {}).get(EXT) or {})
            spec["descriptorZh"] = items[part].get("fullStatement")
            english = translation.get(part)
            if english is not None:
                spec["descriptorEn"] = english.get("fullStatement")
            requirements[code(part).rsplit("@", 1)[-1]] = spec
        entry["requirements"] = requirements
        chain = {(f"{entry['code']}@{a}", f"{entry['code']}@{b}")
                 for a, b in zip(list(requirements), list(requirements)[1:], strict=False)}
        progressions = sorted(
            {(code(a), code(b)) for a, b in precedes
             if typed(a, "Level requirement") and typed(b, "Level requirement")
             and code(a).rsplit("@", 1)[0] == entry["code"]} - chain)
        if progressions:
            entry["progressesTo"] = [{"from": a.rsplit("@", 1)[1],
                                      "competency": b.rsplit("@", 1)[0],
                                      "level": b.rsplit("@", 1)[1]} for a, b in progressions]
        competencies.append(entry)
    entries["competencies"] = competencies
    return entries


def read_case(source: str | Path | dict[str, Any], *, version: str | None = None,
              ) -> FrameworkContent:
    """The framework content of a package, validated whole as a draft version (``version``
    replaces the package's own); raises ``CaseInvalid``."""
    package = source if isinstance(source, dict) else load_package(source)
    entries = entries_from_package(package)
    entries["framework"][0]["status"] = "draft"
    if version is not None:
        entries["framework"][0]["version"] = version
    try:
        return parse_entries({kind: [(f"CFPackage {kind}", index, data)
                                     for index, data in enumerate(items, start=1)]
                              for kind, items in entries.items()})
    except SeedInvalid as invalid:
        raise CaseInvalid([str(e) for e in invalid.errors]) from invalid
