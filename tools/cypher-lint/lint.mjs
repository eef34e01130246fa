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
// The distinct texts are shared out over one worker thread per core (longest
// first), since semantic analysis is CPU-bound: on two cores the run takes half.

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

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

function lintAll(queries, schema) {
  return queries.map((query) => lintOne(query, schema));
}

function schemaOf() {
  return { functions: { [CYPHER_VERSION]: builtinFunctions() }, defaultLanguage: CYPHER_VERSION };
}

function runWorker(queries) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: queries });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main() {
  let items;
  try {
    items = parseInput(await readStdin());
  } catch (err) {
    process.stderr.write(`cypher-lint: bad input: ${err.message}\n`);
    process.exit(2);
  }

  const namesByQuery = new Map();
  for (const { name, query } of items) {
    if (!namesByQuery.has(query)) namesByQuery.set(query, []);
    namesByQuery.get(query).push(name);
  }
  const queries = [...namesByQuery.keys()].sort((a, b) => b.length - a.length);
  const workers = Math.max(1, Math.min(availableParallelism(), Math.ceil(queries.length / 20)));
  const shares = Array.from({ length: workers }, () => []);
  queries.forEach((query, index) => shares[index % workers].push(query));
  const results = workers === 1
    ? [lintAll(shares[0], schemaOf())]
    : await Promise.all(shares.map(runWorker));

  const out = [];
  shares.forEach((share, w) => share.forEach((query, i) => {
    for (const name of namesByQuery.get(query)) {
      for (const d of results[w][i]) out.push({ name, ...d });
    }
  }));
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

if (isMainThread) {
  await main();
} else {
  parentPort.postMessage(lintAll(workerData, schemaOf()));
}
