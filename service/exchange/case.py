"""A framework version as a CASE 1.1 CFPackage (1EdTech Competencies and Academic Standards
Exchange).

What CASE carries natively: the document (title, version, status, language), the item tree
(levels → level·layer → requirements; layers → competencies; isChildOf), codes
(humanCodingScheme), Chinese statements with English translations as items of their own
(isTranslationOf, language zh/en), prerequisites and progressions (precedes, in association
groupings), requirements as parts of their competency (isPartOf), version links (replacedBy),
the proficiency scale and each competency's level descriptors (CFRubrics), strands, majors and
industries as CFConcepts. What it cannot carry is kept under ``extensions.competencyGraph``:
per item its source and target proficiency (and a competency's layer, strands, major,
industry), and on the package every other kind of the seed as seed entries (courses,
assessments, certifications, jobs, programs, teacher tiers, levels, layers, strands,
industries, majors, colleges, and any kind the seed gains). Identifiers are UUIDv5 of our uids,
so they are stable across exports.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from typing import Any

from seed.document import Entries

__all__ = ["EXT", "case_id", "package_of"]

EXT = "competencyGraph"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:competency-graph:case")
STATUS = {"draft": "Draft", "published": "Adopted", "deprecated": "Deprecated"}
PROFICIENCY = {1: ("了解", "know / understand"), 2: ("运用", "apply"), 3: ("设计", "design"),
               4: ("创新", "innovate")}
ITEM_TYPES = {"level": ("层次", "Level"), "levelLayer": ("层次·层面", "Level layer"),
              "layer": ("层面", "Layer"), "competency": ("能力", "Competency"),
              "requirement": ("层次要求", "Level requirement")}
GROUPINGS = {"prerequisites": ("前置关系 prerequisites", "competency A precedes B: B requires A"),
             "progressions": ("层次递进 progressions", "a requirement precedes the next level's"),
             "versions": ("版本沿革 versions", "an element is replaced by its copy in a newer "
                                             "framework version")}


def case_id(key: str) -> str:
    """The stable CASE identifier of one of our objects (``key`` names it by kind and uid)."""
    return str(uuid.uuid5(NAMESPACE, key))


class _Package:
    def __init__(self, fw: str, base: str, changed: str) -> None:
        self.fw, self.base, self.changed = fw, base.rstrip("/"), changed
        self.items: list[dict[str, Any]] = []
        self.associations: list[dict[str, Any]] = []
        self.titles: dict[str, str] = {}

    def uri(self, collection: str, identifier: str) -> str:
        return f"{self.base}/ims/case/v1p1/{collection}/{identifier}"

    def link(self, collection: str, identifier: str, title: str) -> dict[str, str]:
        return {"title": title, "identifier": identifier, "uri": self.uri(collection, identifier)}

    def item(self, key: str, kind: str, statement: str, *, code: str, language: str = "zh",
             abbreviated: str | None = None, extension: dict[str, Any] | None = None,
             **extra: Any) -> str:
        identifier = case_id(key)
        zh, en = ITEM_TYPES[kind]
        item: dict[str, Any] = {
            "identifier": identifier, "uri": self.uri("CFItems", identifier),
            "fullStatement": statement, "humanCodingScheme": code, "CFItemType": en,
            "CFItemTypeURI": self.link("CFItemTypes", case_id(f"itemtype:{kind}"), en),
            "language": language, "lastChangeDateTime": self.changed, **extra}
        if abbreviated:
            item["abbreviatedStatement"] = abbreviated
        if extension:
            item["extensions"] = {EXT: extension}
        self.items.append(item)
        self.titles[identifier] = abbreviated or statement[:60] or zh
        return identifier

    def translation(self, key: str, kind: str, of: str, statement: str | None, *, code: str,
                    abbreviated: str | None = None) -> None:
        if not statement:
            return
        english = self.item(f"{key}#en", kind, statement, code=code, language="en",
                            abbreviated=abbreviated)
        self.associate("isTranslationOf", english, of)

    def associate(self, kind: str, origin: str, destination: str, *, grouping: str | None = None,
                  sequence: int | None = None, destination_uri: str | None = None,
                  collection: str = "CFItems") -> None:
        identifier = case_id(f"assoc:{kind}:{origin}>{destination}")
        association: dict[str, Any] = {
            "identifier": identifier, "associationType": kind,
            "uri": self.uri("CFAssociations", identifier),
            "originNodeURI": self._node(origin, collection),
            "destinationNodeURI": self._node(destination, collection, destination_uri),
            "lastChangeDateTime": self.changed}
        if sequence is not None:
            association["sequenceNumber"] = sequence
        if grouping is not None:
            grouping_id = case_id(f"grouping:{grouping}")
            association["CFAssociationGroupingURI"] = self.link(
                "CFAssociationGroupings", grouping_id, GROUPINGS[grouping][0])
        self.associations.append(association)

    def _node(self, identifier: str, collection: str, uri: str | None = None) -> dict[str, str]:
        return {"title": self.titles.get(identifier, identifier), "identifier": identifier,
                "uri": uri or self.uri(collection, identifier)}

    def definition(self, collection: str, key: str, title: str, **fields: Any) -> dict[str, Any]:
        identifier = case_id(key)
        return {"identifier": identifier, "uri": self.uri(collection, identifier),
                "title": title, **fields, "lastChangeDateTime": self.changed}


def _by_code(entries: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(e["code"]): e for e in entries}


def package_of(entries: Entries, framework: dict[str, Any], *, base: str,
               newer: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The CFPackage of a version: ``entries`` its seed entries, ``framework`` its node (status,
    timestamps), ``newer`` code → newer version uids holding a copy (for replacedBy; the
    code ``""`` for the document itself)."""
    fw = str(framework["uid"])
    changed = str(framework.get("updatedAt") or framework.get("publishedAt")
                  or framework.get("createdAt") or "2025-01-01T00:00:00+00:00")
    pkg = _Package(fw, base, changed)
    document_id = case_id(f"doc:{fw}")
    meta = entries["framework"][0]
    levels = sorted(entries["levels"], key=lambda e: e.get("rank", 0))
    layers = sorted(entries["layers"], key=lambda e: e.get("order", 0))
    level_names = {e["code"]: e["nameZh"] for e in levels}
    pkg.titles[document_id] = str(meta["nameZh"])
    node: dict[str, str] = {}
    for number, level in enumerate(levels, start=1):
        node[level["code"]] = pkg.item(f"level:{fw}|{level['code']}", "level", level["nameZh"],
                                       code=level["code"], listEnumeration=str(number))
        pkg.translation(f"level:{fw}|{level['code']}", "level", node[level["code"]],
                        level.get("nameEn"), code=level["code"])
        pkg.associate("isChildOf", node[level["code"]], document_id, sequence=number,
                      collection="CFDocuments")
        for order, layer in enumerate(layers, start=1):
            key = f"{level['code']}|{layer['code']}"
            node[key] = pkg.item(f"levelLayer:{fw}|{key}", "levelLayer",
                                 f"{level['nameZh']}·{layer['nameZh']}",
                                 code=f"{level['code']}-{layer['code']}",
                                 educationLevel=[level["code"]])
            pkg.associate("isChildOf", node[key], node[level["code"]], sequence=order)
    for order, layer in enumerate(layers, start=1):
        node[layer["code"]] = pkg.item(f"layer:{fw}|{layer['code']}", "layer", layer["nameZh"],
                                       code=layer["code"])
        pkg.translation(f"layer:{fw}|{layer['code']}", "layer", node[layer["code"]],
                        layer.get("nameEn"), code=layer["code"])
        pkg.associate("isChildOf", node[layer["code"]], document_id, sequence=len(levels) + order,
                      collection="CFDocuments")
    concepts = _concepts(pkg, entries)
    competencies = entries["competencies"]
    rubrics = [_scale_rubric(pkg)]
    for number, entry in enumerate(competencies, start=1):
        code = entry["code"]
        key = f"competency:{fw}|{code}"
        keywords = [c["title"] for c in concepts.values() if c["hierarchyCode"] in
                    {*entry.get("strands", []), entry.get("major"), entry.get("industry")}]
        extension = {k: entry[k] for k in ("layer", "strands", "major", "industry", "source",
                                           "kind") if entry.get(k) is not None}
        extra: dict[str, Any] = {"conceptKeywords": keywords} if keywords else {}
        first = next((concepts[c] for c in (entry.get("major"), entry.get("industry"),
                                            *entry.get("strands", [])) if c in concepts), None)
        if first is not None:
            extra["conceptKeywordsURI"] = pkg.link("CFConcepts", first["identifier"],
                                                   first["title"])
        node[code] = pkg.item(key, "competency", entry.get("descriptionZh") or entry["nameZh"],
                              code=code, abbreviated=entry["nameZh"], extension=extension,
                              **extra)
        pkg.translation(key, "competency", node[code], entry.get("descriptionEn")
                        or entry.get("nameEn"), code=code, abbreviated=entry.get("nameEn"))
        pkg.associate("isChildOf", node[code], node[entry["layer"]], sequence=number)
    for entry in competencies:
        code = entry["code"]
        for level, spec in (entry.get("requirements") or {}).items():
            key = f"requirement:{fw}|{code}@{level}"
            extension = {"proficiency": spec.get("proficiency")}
            for extra_key in ("source", "consolidation"):
                if spec.get(extra_key) is not None:
                    extension[extra_key] = spec[extra_key]
            node[f"{code}@{level}"] = pkg.item(
                key, "requirement", spec.get("descriptorZh") or "", code=f"{code}@{level}",
                educationLevel=[level], extension=extension)
            pkg.translation(key, "requirement", node[f"{code}@{level}"],
                            spec.get("descriptorEn"), code=f"{code}@{level}")
            pkg.associate("isChildOf", node[f"{code}@{level}"],
                          node[f"{level}|{entry['layer']}"])
            pkg.associate("isPartOf", node[f"{code}@{level}"], node[code])
        for required in entry.get("requires") or []:
            pkg.associate("precedes", node[required], node[code], grouping="prerequisites")
        rubrics.append(_descriptor_rubric(pkg, entry, node[code], level_names))
    for entry in competencies:
        chain = [f"{entry['code']}@{lv}" for lv in entry.get("requirements") or {}]
        links = list(itertools.pairwise(chain)) + [
            (f"{entry['code']}@{p['from']}", f"{p['competency']}@{p['level']}")
            for p in entry.get("progressesTo") or []]
        for source, target in links:
            pkg.associate("precedes", node[source], node[target], grouping="progressions")
    for later in sorted(set((newer or {}).get("", []))):
        pkg.associate("replacedBy", document_id, case_id(f"doc:{later}"), grouping="versions",
                      collection="CFDocuments")
    for code, fws in sorted((newer or {}).items()):
        for later in fws:
            if not code:
                continue
            kind = "requirement" if "@" in code else "competency"
            later_id = case_id(f"{kind}:{later}|{code}")
            if code in node:
                pkg.associate("replacedBy", node[code], later_id, grouping="versions",
                              destination_uri=pkg.uri("CFItems", later_id))
    document: dict[str, Any] = {
        "identifier": document_id, "uri": pkg.uri("CFDocuments", document_id),
        "frameworkType": "competency framework", "caseVersion": "1.1",
        "creator": "competency-graph", "title": meta["nameZh"],
        "lastChangeDateTime": changed, "language": "zh", "version": str(meta["version"]),
        "adoptionStatus": STATUS.get(str(framework.get("status")), "Draft"),
        "subject": ["人工智能素养 AI literacy"],
        "subjectURI": [pkg.link("CFSubjects", case_id("subject:ai-literacy"),
                                "人工智能素养 AI literacy")],
        "licenseURI": pkg.link("CFLicenses", case_id(f"license:{fw}"), "Apache-2.0"),
        "extensions": {EXT: {k: meta[k] for k in meta
                                if k not in {"nameZh", "version", "descriptionZh"}}},
    }
    if meta.get("descriptionZh"):
        document["description"] = meta["descriptionZh"]
    if framework.get("publishedAt"):
        document["statusStartDate"] = str(framework["publishedAt"])[:10]
    kinds = {kind: items for kind, items in entries.items()
             if kind not in {"framework", "competencies"}}
    return {
        "CFDocument": document, "CFItems": pkg.items, "CFAssociations": pkg.associations,
        "CFDefinitions": {
            "CFConcepts": list(concepts.values()),
            "CFSubjects": [pkg.definition("CFSubjects", "subject:ai-literacy",
                                          "人工智能素养 AI literacy", hierarchyCode="AIL")],
            "CFLicenses": [pkg.definition("CFLicenses", f"license:{fw}", "Apache-2.0",
                                          licenseText="Apache License 2.0")],
            "CFItemTypes": [pkg.definition("CFItemTypes", f"itemtype:{kind}", f"{zh} {en}",
                                           description=f"{zh} / {en}", hierarchyCode=kind,
                                           typeCode=kind)
                            for kind, (zh, en) in ITEM_TYPES.items()],
            "CFAssociationGroupings": [pkg.definition("CFAssociationGroupings",
                                                      f"grouping:{key}", title,
                                                      description=description)
                                       for key, (title, description) in GROUPINGS.items()],
        },
        "CFRubrics": rubrics,
        "extensions": {EXT: {"framework": fw, "kinds": kinds}},
    }


def _concepts(pkg: _Package, entries: Entries) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for kind in ("strands", "majors", "industries"):
        for entry in entries.get(kind, []):
            found[entry["code"]] = pkg.definition(
                "CFConcepts", f"concept:{pkg.fw}|{kind}|{entry['code']}",
                f"{entry['nameZh']} {entry.get('nameEn', '')}".strip(),
                hierarchyCode=entry["code"], keywords=kind)
    return found


def _scale_rubric(pkg: _Package) -> dict[str, Any]:
    rubric_id = case_id(f"rubric:{pkg.fw}|scale")
    criterion_id = case_id(f"criterion:{pkg.fw}|scale")
    levels = [{"identifier": case_id(f"level:{pkg.fw}|scale|{n}"),
               "uri": pkg.uri("CFRubricCriterionLevels", case_id(f"level:{pkg.fw}|scale|{n}")),
               "quality": f"{n} {zh} {en}", "score": float(n), "position": n,
               "rubricCriterionId": criterion_id, "lastChangeDateTime": pkg.changed}
              for n, (zh, en) in PROFICIENCY.items()]
    return {"identifier": rubric_id, "uri": pkg.uri("CFRubrics", rubric_id),
            "title": "熟练度量表 proficiency scale",
            "description": "1 了解 · 2 运用 · 3 设计 · 4 创新 (ZZ ≤ 2, GZ ≤ 3, BK ≤ 4)",
            "lastChangeDateTime": pkg.changed,
            "CFRubricCriteria": [{"identifier": criterion_id,
                                  "uri": pkg.uri("CFRubricCriteria", criterion_id),
                                  "category": "熟练度 proficiency", "position": 1,
                                  "rubricId": rubric_id, "lastChangeDateTime": pkg.changed,
                                  "CFRubricCriterionLevels": levels}]}


def _descriptor_rubric(pkg: _Package, entry: dict[str, Any], item: str,
                       level_names: dict[str, str]) -> dict[str, Any]:
    code = entry["code"]
    rubric_id = case_id(f"rubric:{pkg.fw}|{code}")
    criterion_id = case_id(f"criterion:{pkg.fw}|{code}")
    levels = []
    for position, (level, spec) in enumerate((entry.get("requirements") or {}).items(), 1):
        level_id = case_id(f"level:{pkg.fw}|{code}@{level}")
        proficiency = int(spec.get("proficiency") or 0)
        name = PROFICIENCY.get(proficiency, ("", ""))[0]
        levels.append({"identifier": level_id, "uri": pkg.uri("CFRubricCriterionLevels", level_id),
                       "quality": f"{level_names.get(level, level)} {level}: {proficiency} {name}",
                       "score": float(proficiency), "position": position,
                       "description": spec.get("descriptorZh") or "",
                       "feedback": spec.get("descriptorEn") or "",
                       "rubricCriterionId": criterion_id, "lastChangeDateTime": pkg.changed})
    return {"identifier": rubric_id, "uri": pkg.uri("CFRubrics", rubric_id),
            "title": f"{code} {entry['nameZh']} 层次描述 level descriptors",
            "lastChangeDateTime": pkg.changed,
            "CFRubricCriteria": [{"identifier": criterion_id,
                                  "uri": pkg.uri("CFRubricCriteria", criterion_id),
                                  "category": entry["nameZh"], "position": 1,
                                  "CFItemURI": pkg.link("CFItems", item, entry["nameZh"]),
                                  "rubricId": rubric_id, "lastChangeDateTime": pkg.changed,
                                  "CFRubricCriterionLevels": levels}]}
