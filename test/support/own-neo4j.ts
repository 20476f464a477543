import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { startLocalNeo4j } from '../../src/db/local-neo4j.js';
import { emptyDatabase } from './fresh-database.js';

export interface OwnNeo4j {
  /** NEO4J_URI and NEO4J_PASSWORD for startTestApp (with `{ applySchema: true }`). */
  env: { NEO4J_URI: string; NEO4J_PASSWORD: string };
  stop(): Promise<void>;
}

/**
 * A Neo4j that holds nothing but what this test file puts in, for tests that need to know everyone in the database:
 * population-wide figures (shares, lifts) on a database other files wrote to would include their people.
 *
 * Files run one at a time, so the run's throwaway Neo4j (test/global-setup.ts) is lent to the file, emptied (every
 * node and relationship; the schema stays) before and again after it: the file sees only its own data, and the files
 * after it do not carry its population. A JVM of its own (20–40 s to start) only when NEO4J_URI names the tests'
 * database, which is never emptied. Call it before any app of the file starts.
 */
export async function startOwnNeo4j(): Promise<OwnNeo4j> {
  if (inject('neo4jThrowaway')) {
    const env = { NEO4J_URI: inject('neo4jUri'), NEO4J_PASSWORD: inject('neo4jPassword') };
    await emptyDatabase(env.NEO4J_URI, env.NEO4J_PASSWORD);
    return { env, stop: () => emptyDatabase(env.NEO4J_URI, env.NEO4J_PASSWORD) };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ns-neo4j-own-'));
  const server = await startLocalNeo4j({ dataDir, port: 0, heap: '512m', pagecache: '64m' });
  return {
    env: { NEO4J_URI: server.uri, NEO4J_PASSWORD: server.password },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
