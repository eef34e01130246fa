"""What every curriculum report reads of one program, once, and the shape of its
findings and refusals."""

from __future__ import annotations

from dataclasses import dataclass

from graph.cypher import Cypher
from graph.ids import element_uid
from graph.programs import program_targets
from graph.store import GraphStore, Record

__all__ = ["FRAMEWORK_PREREQUISITES", "Finding", "ProgramView", "ReportError", "load_program"]

PROGRAM = Cypher("MATCH (p:Program {uid: $uid}) RETURN p {.*} AS node")
PROGRAM_COURSE_ROWS = Cypher(
    "MATCH (:Program {uid: $uid})-[i:INCLUDES]->(c:Course) "
    "RETURN c.code AS course, c.layer AS layer, c.credits AS credits, "
    "i.semester AS semester, i.required AS required ORDER BY semester, course"
)
PROGRAM_TEACHING = Cypher(
    "MATCH (:Program {uid: $uid})-[:INCLUDES]->(c:Course)-[t:TEACHES]->(k:Competency) "
    "RETURN c.code AS course, k.code AS competency, t.proficiency AS proficiency"
)
FRAMEWORK_PREREQUISITES = Cypher(
    "MATCH (a:Competency {fw: $fw})-[:REQUIRES]->(b:Competency) "
    "RETURN a.code AS competency, b.code AS prerequisite"
)


class ReportError(LookupError):
    """The report cannot be made (unknown program, a pathway out of order); ``code`` is
    stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found; which fields are set depends on ``kind``."""

    check: str  # COVERAGE, ORDER, ASSESSMENT, ARTICULATION
    kind: str
    message: str
    competency: str | None = None
    course: str | None = None
    related: str | None = None  # the prerequisite (course or competency), or the assessment
    semester: int | None = None
    related_semester: int | None = None
    target: int | None = None  # the proficiency asked for
    reached: int | None = None  # the proficiency taught / measured / reached before



@dataclass
class ProgramView:
    """What both reports need of one program, read once."""

    node: Record
    courses: list[Record]
    teaching: list[Record]
    targets: dict[str, int]
    target_layers: dict[str, str]

    @property
    def code(self) -> str:
        return str(self.node["code"])

    @property
    def level(self) -> str:
        return str(self.node["level"])

    def taught(self) -> dict[str, int]:
        """Competency → the highest proficiency any course of the program teaches it at."""
        best: dict[str, int] = {}
        for row in self.teaching:
            best[row["competency"]] = max(best.get(row["competency"], 0), int(row["proficiency"]))
        return best


async def load_program(store: GraphStore, fw: str, code: str) -> ProgramView:
    uid = element_uid(fw, code)
    rows = await store.read(PROGRAM, {"uid": uid})
    if not rows:
        raise ReportError("PROGRAM_NOT_FOUND", f"no program {code!r} in {fw}")
    targets = await program_targets(store, uid)
    return ProgramView(
        node=rows[0]["node"],
        courses=await store.read(PROGRAM_COURSE_ROWS, {"uid": uid}),
        teaching=await store.read(PROGRAM_TEACHING, {"uid": uid}),
        targets={t["code"]: int(t["proficiency"]) for t in targets},
        target_layers={t["code"]: t["layer"] for t in targets},
    )

