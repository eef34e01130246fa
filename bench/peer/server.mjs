// @neo4j/graphql on graphql-yoga over the project's Neo4j database (the bench's peer).
// env: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, PEER_PORT, CG_PEER_SHAPE.
import { createServer } from 'node:http';

import { Neo4jGraphQL } from '@neo4j/graphql';
import { createYoga } from 'graphql-yoga';
import neo4j from 'neo4j-driver';

import { typeDefs } from './shape.mjs';

const env = process.env;
const driver = neo4j.driver(env.NEO4J_URI, neo4j.auth.basic(env.NEO4J_USER ?? 'neo4j',
                                                             env.NEO4J_PASSWORD ?? ''));
await driver.verifyConnectivity();
const schema = await new Neo4jGraphQL({ typeDefs: typeDefs(env.CG_PEER_SHAPE ?? 'stands'),
                                         driver }).getSchema();
const database = env.NEO4J_DATABASE ?? 'neo4j';
const yoga = createYoga({
  schema,
  graphiql: false,
  logging: 'warn',
  landingPage: false,
  context: () => ({ cypherExecutionContext: undefined, sessionConfig: { database } }),
});
const port = Number(env.PEER_PORT ?? 4000);
const server = createServer(yoga);
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1', () => console.error(`peer ready on http://127.0.0.1:${port}/graphql`));
const stop = () => server.close(() => driver.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
