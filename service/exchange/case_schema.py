"""The shape of a CASE 1.1 CFPackage, from the field lists of the specification (1EdTech CASE
Service 1.1, package binding): each class's required and allowed fields. Exports are checked
with it in tests, and imports before anything is read, so a malformed package is refused with
the path of every problem.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["ASSOCIATION_TYPES", "package_problems"]

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ASSOCIATION_TYPES = frozenset({
    "isChildOf", "isPeerOf", "isPartOf", "exactMatchOf", "precedes", "isRelatedTo",
    "replacedBy", "exemplar", "hasSkillLevel", "isTranslationOf"})
_EXT_TYPE = re.compile(r"^ext:[a-zA-Z0-9.\-_]+$")

# class → (required fields, optional fields, nested: field → class / [class])
CLASSES: dict[str, tuple[set[str], set[str], dict[str, Any]]] = {
    "CFPackage": ({"CFDocument"}, {"CFItems", "CFAssociations", "CFDefinitions", "CFRubrics",
                                   "extensions"},
                  {"CFDocument": "CFDocument", "CFItems": ["CFItem"],
                   "CFAssociations": ["CFAssociation"], "CFDefinitions": "CFDefinitions",
                   "CFRubrics": ["CFRubric"]}),
    "CFDocument": ({"identifier", "uri", "creator", "title", "lastChangeDateTime"},
                   {"frameworkType", "caseVersion", "officialSourceURL", "publisher",
                    "description", "subject", "subjectURI", "language", "version",
                    "adoptionStatus", "statusStartDate", "statusEndDate", "licenseURI", "notes",
                    "extensions"},
                   {"subjectURI": ["Link"], "licenseURI": "Link"}),
    "CFItem": ({"identifier", "fullStatement", "uri", "lastChangeDateTime"},
               {"alternativeLabel", "CFItemType", "humanCodingScheme", "listEnumeration",
                "abbreviatedStatement", "conceptKeywords", "conceptKeywordsURI", "notes",
                "subject", "subjectURI", "language", "educationLevel", "CFItemTypeURI",
                "licenseURI", "statusStartDate", "statusEndDate", "extensions"},
               {"conceptKeywordsURI": "Link", "subjectURI": ["Link"], "CFItemTypeURI": "Link",
                "licenseURI": "Link"}),
    "CFAssociation": ({"identifier", "associationType", "uri", "originNodeURI",
                       "destinationNodeURI", "lastChangeDateTime"},
                      {"sequenceNumber", "CFAssociationGroupingURI", "notes", "extensions"},
                      {"originNodeURI": "Link", "destinationNodeURI": "Link",
                       "CFAssociationGroupingURI": "Link"}),
    "CFDefinitions": (set(), {"CFConcepts", "CFSubjects", "CFLicenses", "CFItemTypes",
                              "CFAssociationGroupings", "extensions"},
                      {"CFConcepts": ["CFConcept"], "CFSubjects": ["CFSubject"],
                       "CFLicenses": ["CFLicense"], "CFItemTypes": ["CFItemType"],
                       "CFAssociationGroupings": ["CFAssociationGrouping"]}),
    "CFConcept": ({"identifier", "uri", "title", "hierarchyCode", "lastChangeDateTime"},
                  {"keywords", "description", "extensions"}, {}),
    "CFSubject": ({"identifier", "uri", "title", "hierarchyCode", "lastChangeDateTime"},
                  {"description", "extensions"}, {}),
    "CFLicense": ({"identifier", "uri", "title", "licenseText", "lastChangeDateTime"},
                  {"description", "extensions"}, {}),
    "CFItemType": ({"identifier", "uri", "title", "description", "hierarchyCode",
                    "lastChangeDateTime"}, {"typeCode", "extensions"}, {}),
    "CFAssociationGrouping": ({"identifier", "uri", "title", "lastChangeDateTime"},
                              {"description", "extensions"}, {}),
    "CFRubric": ({"identifier", "uri", "lastChangeDateTime"},
                 {"title", "description", "CFRubricCriteria", "extensions"},
                 {"CFRubricCriteria": ["CFRubricCriterion"]}),
    "CFRubricCriterion": ({"identifier", "uri", "lastChangeDateTime"},
                          {"category", "description", "CFItemURI", "weight", "position",
                           "rubricId", "CFRubricCriterionLevels", "extensions"},
                          {"CFItemURI": "Link",
                           "CFRubricCriterionLevels": ["CFRubricCriterionLevel"]}),
    "CFRubricCriterionLevel": ({"identifier", "uri", "lastChangeDateTime"},
                               {"description", "quality", "score", "feedback", "position",
                                "rubricCriterionId", "extensions"}, {}),
    "Link": ({"title", "identifier", "uri"}, set(), {}),
}
_LINK_OPTIONAL = {"targetType"}  # origin/destination links (LinkGenURI) may say their type


def _check(value: Any, cls: str, path: str, problems: list[str], *, gen_link: bool) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object ({cls})")
        return
    required, optional, nested = CLASSES[cls]
    allowed = required | optional | (_LINK_OPTIONAL if gen_link else set())
    problems += [f"{path}: missing {name}" for name in sorted(required - value.keys())]
    problems += [f"{path}: {name} is not a {cls} field" for name in sorted(value.keys() - allowed)]
    identifier = value.get("identifier")
    if "identifier" in value and not (gen_link or (isinstance(identifier, str)
                                      and UUID.match(identifier))):
        problems.append(f"{path}.identifier: {identifier!r} is not a lower-case UUID")
    if cls == "CFAssociation" and "associationType" in value:
        kind = value["associationType"]
        if kind not in ASSOCIATION_TYPES and not (isinstance(kind, str) and _EXT_TYPE.match(kind)):
            problems.append(f"{path}.associationType: {kind!r} is not a CASE association type")
    if "extensions" in value and not isinstance(value["extensions"], dict | list):
        problems.append(f"{path}.extensions: must be an object")
    for name, target in nested.items():
        if name not in value:
            continue
        generic = cls == "CFAssociation" and name in {"originNodeURI", "destinationNodeURI"}
        if isinstance(target, list):
            if not isinstance(value[name], list):
                problems.append(f"{path}.{name}: must be a list")
                continue
            for index, item in enumerate(value[name]):
                _check(item, target[0], f"{path}.{name}[{index}]", problems, gen_link=False)
        else:
            _check(value[name], target, f"{path}.{name}", problems, gen_link=generic)


def package_problems(package: Any) -> list[str]:
    """Every way ``package`` departs from the CASE 1.1 CFPackage field lists (empty: none)."""
    problems: list[str] = []
    _check(package, "CFPackage", "CFPackage", problems, gen_link=False)
    return problems
