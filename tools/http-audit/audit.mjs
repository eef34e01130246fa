// Audit a GraphQL-over-HTTP server against the spec (graphql-http's own audit suite).
// Usage: node audit.mjs URL — prints one JSON object: counts per level and the failures.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const summary = { counts: {}, failures: [] };
for (const result of results) {
  const level = result.name.split(' ')[0];
  summary.counts[level] ??= { ok: 0, warn: 0, error: 0 };
  summary.counts[level][result.status] += 1;
  if (result.status !== 'ok') {
    summary.failures.push({ level, status: result.status, name: result.name,
                            reason: result.reason ?? '' });
  }
}
console.log(JSON.stringify(summary));
