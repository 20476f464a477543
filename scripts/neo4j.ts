/**
 * `npm run neo4j`: runs the embedded Neo4j 5.26 (Bolt only, authentication on) for local work until Ctrl-C.
 * Options: --data DIR (default .data/neo4j), --port N (default 7687), --install-only,
 * --gds (also install and load Neo4j Graph Data Science 2.13 into scripts/neo4j/gds-lib; ~15 MB more).
 * The password of user neo4j is NEO4J_PASSWORD, else the one generated once into neo4j-password next to the data
 * directory, the same file `npm start` reads, so `npm start` finds and uses this server.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureGdsJars, ensureNeo4jJars, startLocalNeo4j } from '../src/db/local-neo4j.js';
import { persistentSecret } from '../src/secrets.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.NEO4J_DATA_DIR ?? '.data/neo4j' },
    port: { type: 'string', default: process.env.NEO4J_PORT ?? '7687' },
    'install-only': { type: 'boolean', default: false },
    gds: { type: 'boolean', default: false },
  },
});

if (values['install-only']) {
  ensureNeo4jJars();
  console.log('Neo4j jars are in scripts/neo4j/lib');
  if (values.gds) {
    ensureGdsJars();
    console.log('Graph Data Science jars are in scripts/neo4j/gds-lib');
  }
} else {
  const passwordFile = path.join(path.dirname(path.resolve(values.data)), 'neo4j-password');
  const server = await startLocalNeo4j({
    dataDir: values.data,
    port: Number(values.port),
    gds: values.gds,
    password: persistentSecret(process.env.NEO4J_PASSWORD || undefined, passwordFile),
    log: (l) => console.error(`[neo4j] ${l}`),
  });
  console.log(
    `Neo4j is up: NEO4J_URI=${server.uri} NEO4J_USER=neo4j, NEO4J_PASSWORD in ${passwordFile} (data in ${values.data}). Ctrl-C stops it.`,
  );
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
