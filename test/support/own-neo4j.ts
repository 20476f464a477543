import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalNeo4j } from '../../src/db/local-neo4j.js';

export interface OwnNeo4j {
  /** NEO4J_URI and NEO4J_PASSWORD for startTestApp (with `{ applySchema: true }`). */
  env: { NEO4J_URI: string; NEO4J_PASSWORD: string };
  stop(): Promise<void>;
}

/**
 * A throwaway Neo4j for one test file, for tests that need to know everyone in the database: population-wide figures
 * (shares, lifts) on the shared instance would include the people every other file planted.
 */
export async function startOwnNeo4j(): Promise<OwnNeo4j> {
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
