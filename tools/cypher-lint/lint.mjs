#!/usr/bin/env node
// Lints Cypher text with Neo4j's own parser and semantic analysis
// (@neo4j-cypher/language-support, fully offline).
//
// stdin : JSON list of {"name": string, "query": string}
// stdout: JSON list of {"name", "severity", "message", "line", "column", "deprecated"}
//         for every error (severity 1) and warning (severity 2).
//         line and column are 1-based; "deprecated" is true when Neo4j flags a
//         deprecated feature (DiagnosticTag.Deprecated or a "deprecated" message).
// exit  : 0 whenever linting ran (the caller decides what fails); 2 on bad input.
//
// Each distinct query text is linted once (the library caches nothing and takes
// ~0.05-0.3 s per query). The Cypher 5 dialect is used, with Neo4j 5's built-in
// function list as the schema so that a misspelled or non-core (APOC, GDS)
// function is reported as an error. No procedure list is given, so CALL targets
// (Neo4j's db.* or FalkorDB's db.idx.*) are not checked. "$param is not
// defined" diagnostics are dropped: parameters are supplied at run time.

import {
  isNotParamError,
  lintCypherQuery,
  testData,
} from '@neo4j-cypher/language-support';

const CYPHER_VERSION = 'CYPHER 5';
const DEPRECATED_TAG = 2; // vscode-languageserver-types DiagnosticTag.Deprecated

function builtinFunctions() {
  // The package ships the function registry of a real Neo4j 5 server (it is
  // what its own tests use); keep only core functions, not APOC/GDS plugins.
  const registry = testData?.mockSchema?.functions?.[CYPHER_VERSION];
  if (!registry || Object.keys(registry).length < 100) {
    throw new Error(`no ${CYPHER_VERSION} function registry in @neo4j-cypher/language-support`);
  }
  return Object.fromEntries(Object.entries(registry).filter(([, fn]) => fn.isBuiltIn));
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseInput(text) {
  const items = JSON.parse(text);
  if (!Array.isArray(items)) throw new Error('input must be a JSON list');
  for (const item of items) {
    if (typeof item?.name !== 'string' || typeof item?.query !== 'string') {
      throw new Error(`each item needs string "name" and "query": ${JSON.stringify(item)}`);
    }
  }
  return items;
}

function lintOne(query, schema) {
  try {
    return lintCypherQuery(query, schema)
      .diagnostics.filter(isNotParamError)
      .filter((d) => d.severity === 1 || d.severity === 2)
      .map((d) => ({
        severity: d.severity,
        message: d.message,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        deprecated: (d.tags ?? []).includes(DEPRECATED_TAG) || /deprecat/i.test(d.message),
      }));
  } catch (err) {
    // A crash inside the linter must not pass silently as "no diagnostics".
    return [{ severity: 1, message: `linter crashed: ${err}`, line: 1, column: 1, deprecated: false }];
  }
}

async function main() {
  let items;
  try {
    items = parseInput(await readStdin());
  } catch (err) {
    process.stderr.write(`cypher-lint: bad input: ${err.message}\n`);
    process.exit(2);
  }
  const schema = { functions: { [CYPHER_VERSION]: builtinFunctions() }, defaultLanguage: CYPHER_VERSION };

  const namesByQuery = new Map();
  for (const { name, query } of items) {
    if (!namesByQuery.has(query)) namesByQuery.set(query, []);
    namesByQuery.get(query).push(name);
  }

  const out = [];
  for (const [query, names] of namesByQuery) {
    const diagnostics = lintOne(query, schema);
    for (const name of names) for (const d of diagnostics) out.push({ name, ...d });
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

await main();
