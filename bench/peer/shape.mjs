// The peer's view of our graph: @neo4j/graphql typeDefs over the project's Neo4j database.
//
// This is the one file that depends on how the project stores its data. Queries (a) and (b)
// read framework content (Competency -REQUIRES-> Competency, -HAS_REQUIREMENT-> Requirement),
// which is stable. Query (c) means "per competency: the student's required proficiency (its
// program's target), attained proficiency (0 without evidence) and gap = max(0, required -
// attained), for every competency that is required or attained, by code". How that is read
// depends on the data design, so it is one @cypher statement per design, chosen with
// CG_PEER_SHAPE (python -m bench.peer --shape ...); the runner checks the peer's answers equal
// the project's before it measures, so a stale statement fails loudly instead of measuring
// the wrong thing.

// Eager design: every (student, in-scope competency) has a STANDS edge carrying both
// `required` (refreshed from the program's TARGETS) and `attained`.
const STANDING_FROM_STANDS = `
MATCH (this)-[a:STANDS]->(c:Competency)
WHERE a.required > 0 OR a.attained > 0
WITH c, a ORDER BY c.code
RETURN {competencyCode: c.code, required: a.required, attained: a.attained,
        gap: CASE WHEN a.required > a.attained THEN a.required - a.attained ELSE 0 END} AS standing`;

// Lazy design: STANDS edges only where evidence exists (attained); targets read from the
// program: (Student)-[:ENROLLED_IN]->(Program)-[:TARGETS {proficiency}]->(Competency).
const STANDING_FROM_TARGETS = `
OPTIONAL MATCH (this)-[:ENROLLED_IN]->(p:Program)
CALL (this, p) {
  MATCH (p)-[t:TARGETS]->(c:Competency)
  OPTIONAL MATCH (this)-[a:STANDS]->(c)
  RETURN c, t.proficiency AS required, coalesce(a.attained, 0) AS attained
  UNION
  MATCH (this)-[a:STANDS]->(c:Competency)
  WHERE a.attained > 0 AND (p IS NULL OR NOT (p)-[:TARGETS]->(c))
  RETURN c, 0 AS required, a.attained AS attained
}
WITH c, required, attained WHERE required > 0 OR attained > 0
WITH c, required, attained ORDER BY c.code
RETURN {competencyCode: c.code, required: required, attained: attained,
        gap: CASE WHEN required > attained THEN required - attained ELSE 0 END} AS standing`;

export const SHAPES = { stands: STANDING_FROM_STANDS, targets: STANDING_FROM_TARGETS };

export function typeDefs(shape) {
  const standing = SHAPES[shape];
  if (!standing) throw new Error(`unknown CG_PEER_SHAPE ${shape}: one of ${Object.keys(SHAPES)}`);
  return /* GraphQL */ `
  type Competency @node @mutation(operations: []) {
    uid: ID!
    fw: String!
    code: String!
    nameZh: String!
    nameEn: String!
    layer: String!
    prerequisites: [Competency!]! @relationship(type: "REQUIRES", direction: OUT)
    requirements: [Requirement!]! @relationship(type: "HAS_REQUIREMENT", direction: OUT)
    allPrerequisites: [Competency!]!
      @cypher(statement: "MATCH (this)-[:REQUIRES*1..]->(p:Competency) RETURN DISTINCT p ORDER BY p.code", columnName: "p")
  }

  type Requirement @node @mutation(operations: []) {
    uid: ID!
    code: String!
    level: String!
    competency: String!
    rank: Int!
    proficiency: Int!
    descriptorZh: String!
    descriptorEn: String!
  }

  type CompetencyStanding {
    competencyCode: String!
    required: Int!
    attained: Int!
    gap: Int!
  }

  type Student @node @mutation(operations: []) {
    uid: ID!
    code: String!
    college: String!
    standing: [CompetencyStanding!]! @cypher(statement: """${standing}""", columnName: "standing")
  }
`;
}
