import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { Db } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';

declare module 'vitest' {
  export interface ProvidedContext {
    neo4jUri: string;
    neo4jPassword: string;
    /** The run started that Neo4j (NEO4J_URI unset), so tests may empty it (test/support/own-neo4j.ts). */
    neo4jThrowaway: boolean;
  }
}

let server: LocalNeo4j | undefined;
let dataDir: string | undefined;

/** One throwaway Neo4j for the whole run, unless NEO4J_URI points at one already. */
export async function setup(project: TestProject) {
  let uri = process.env.NEO4J_URI;
  let password = process.env.NEO4J_PASSWORD ?? '';
  if (!uri) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ns-neo4j-'));
    server = await startLocalNeo4j({ dataDir, port: 0 });
    uri = server.uri;
    // Authentication is on, with a password made for this run.
    password = server.password;
  }
  const db = new Db({ uri, user: process.env.NEO4J_USER ?? 'neo4j', password });
  await applySchema(db);
  await db.close();
  project.provide('neo4jUri', uri);
  project.provide('neo4jPassword', password);
  project.provide('neo4jThrowaway', server !== undefined);
}

export async function teardown() {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
