"""The three queries of the side-by-side, as each side spells them, and one normal form of
their answers, so "identical answers" is checked on content, not on API spelling.

(a) framework browsing: 50 competencies by code, each with its direct prerequisites and its
    per-level requirements;
(b) one competency with its transitive prerequisites (the seed's largest prerequisite tree);
(c) one student's standing: required / attained / gap per competency that is required or
    attained, by code.
The project answers through its own API (a Relay connection, ``prerequisites(transitive:)``,
``student { standing }``); the peer through what @neo4j/graphql generates from
``shape.mjs`` (a sorted, limited list, a ``@cypher`` field for the transitive closure and
one for the standing).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from seed import DEFAULT_SEED_DIR, parse_seed

__all__ = ["PEER", "PROJECT", "deepest_competency", "normal", "variables"]

PROJECT = {
    "a": "{ competencies(first: 50) { nodes { code prerequisites { code } "
         "requirements { code levelCode descriptorZh descriptorEn target { value } } } } }",
    "b": "query($code: String!) { competency(code: $code) { code "
         "prerequisites(transitive: true) { code nameZh } } }",
    "c": "query($code: String!, $college: String) { student(code: $code, college: $college) "
         "{ code standing { competencyCode required attained gap } } }",
}
PEER = {
    "a": "query($fw: String!) { competencies(where: {fw: {eq: $fw}}, sort: [{code: ASC}], "
         "limit: 50) { code prerequisites(sort: [{code: ASC}]) { code } "
         "requirements(sort: [{rank: ASC}]) { code level descriptorZh descriptorEn "
         "proficiency } } }",
    "b": "query($fw: String!, $code: String!) { competencies(where: {fw: {eq: $fw}, "
         "code: {eq: $code}}) { code allPrerequisites { code nameZh } } }",
    "c": "query($uid: ID!) { students(where: {uid: {eq: $uid}}) "
         "{ code standing { competencyCode required attained gap } } }",
}
NAMES = {"a": "competencies(first: 50) { code prerequisites { code } requirements { … } }",
         "b": "one competency with its transitive prerequisites (the largest tree)",
         "c": "a random student's standing (required / attained / gap per competency)"}


def variables(side: str, query: str, *, framework: str, competency: str,
              student: tuple[str, str] | None = None) -> dict[str, Any]:
    """The variables of ``query`` on ``side`` ("project" or "peer")."""
    if query == "a":
        return {} if side == "project" else {"fw": framework}
    if query == "b":
        return {"code": competency} if side == "project" else {"fw": framework,
                                                               "code": competency}
    assert student is not None
    college, code = student
    return {"code": code, "college": college} if side == "project" else {
        "uid": f"{college}|{code}"}


def normal(side: str, query: str, data: dict[str, Any]) -> Any:
    """The answer's content in one shape, whichever side gave it."""
    if query == "a":
        nodes = data["competencies"]["nodes"] if side == "project" else data["competencies"]
        return [{"code": n["code"],
                 "prerequisites": [p["code"] for p in n["prerequisites"]],
                 "requirements": [
                     {"code": r["code"],
                      "level": r["levelCode"] if side == "project" else r["level"],
                      "descriptorZh": r["descriptorZh"], "descriptorEn": r["descriptorEn"],
                      "proficiency": r["target"]["value"] if side == "project"
                      else r["proficiency"]} for r in n["requirements"]]} for n in nodes]
    if query == "b":
        node = data["competency"] if side == "project" else (data["competencies"] or [None])[0]
        if node is None:
            return None
        found = node["prerequisites"] if side == "project" else node["allPrerequisites"]
        return {"code": node["code"], "prerequisites": found}
    node = data["student"] if side == "project" else (data["students"] or [None])[0]
    return node


def deepest_competency(seed_dir: Path = DEFAULT_SEED_DIR) -> tuple[str, int, int]:
    """(code, edges on its longest prerequisite chain, transitive prerequisites) of the seed
    competency whose prerequisite tree is largest: most transitive prerequisites, then the
    deeper chain, then the smaller code. On the seed that is GEN-28 (18, 6 deep; the issue's
    figures used it); the deepest chain, IND-AUTO-06's 7 edges, has 15."""
    content = parse_seed(seed_dir)
    requires: dict[str, set[str]] = defaultdict(set)
    for link in content.rows["prerequisites"]:
        requires[link["source"]].add(link["target"])
    depth: dict[str, int] = {}

    def chain(uid: str) -> int:
        if uid not in depth:
            depth[uid] = max((chain(p) + 1 for p in requires[uid]), default=0)
        return depth[uid]

    def closure(uid: str) -> set[str]:
        found: set[str] = set()
        stack = list(requires[uid])
        while stack:
            item = stack.pop()
            if item not in found:
                found.add(item)
                stack.extend(requires[item])
        return found

    uids = sorted(c["uid"] for c in content.rows["competencies"])
    best = max(uids, key=lambda uid: (len(closure(uid)), chain(uid)))
    return best.split("|", 1)[1], chain(best), len(closure(best))
