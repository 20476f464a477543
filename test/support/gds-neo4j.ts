/**
 * A throwaway embedded Neo4j 5.26 with Graph Data Science 2.13 and planted interest data, for the GDS engine tests
 * (the shared instance of test/global-setup.ts has no GDS). The GDS jars are installed first when missing (Maven
 * Central, ~15 MB): a failed install fails the tests, it never skips them. One instance serves both the module tests
 * and the app-level ones (test/gds.int.test.ts), since a GDS start costs ~20 s more than a plain one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureGdsJars, startLocalNeo4j } from '../../src/db/local-neo4j.js';
import { Db } from '../../src/db/neo4j.js';
import { applySchema } from '../../src/db/schema.js';
import { mulberry32 } from '../../src/segmentation/random.js';

export const COMMUNITIES = 6;
export const TOPICS_PER_COMMUNITY = 8;
export const CONSENTING_USERS = 900;
export const INTERESTS_PER_USER = 7;
export const topic = (c: number, k: number) => `gds-t${c}-${k}`;
export const plantedCommunity = (id: string) => Number(/^gds-t(\d+)-/.exec(id)![1]);

export interface PlantedUser {
  id: string;
  consent: boolean;
  topics: string[];
  weights: number[];
}

/**
 * 900 consenting users, each with 7 interests drawn 80% from their planted community (user u is in community
 * u mod 6) and 20% from any topic, and 400 users who refuse segmentation and all join communities 0 and 1: counted,
 * they would merge those two.
 */
export function plantedUsers(): PlantedUser[] {
  const rng = mulberry32(2026);
  const users: PlantedUser[] = [];
  const pick = (c: number) => topic(c, Math.floor(rng() * TOPICS_PER_COMMUNITY));
  for (let u = 0; u < CONSENTING_USERS; u++) {
    const c = u % COMMUNITIES;
    const set = new Set<string>();
    while (set.size < INTERESTS_PER_USER) set.add(rng() < 0.2 ? pick(Math.floor(rng() * COMMUNITIES)) : pick(c));
    users.push({ id: `gds-u${u}`, consent: true, topics: [...set], weights: [...set].map(() => 0.5 + rng() / 2) });
  }
  for (let u = 0; u < 400; u++) {
    const set = new Set<string>();
    while (set.size < 8) set.add(pick(set.size % 2));
    users.push({ id: `gds-x${u}`, consent: false, topics: [...set], weights: [...set].map(() => 1) });
  }
  return users;
}

export interface GdsNeo4j {
  uri: string;
  password: string;
  db: Db;
  stop(): Promise<void>;
}

/** Starts the instance, applies the schema (the app runs on it too) and writes the planted users and topics. */
export async function startGdsNeo4j(): Promise<GdsNeo4j> {
  ensureGdsJars();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ns-neo4j-gds-'));
  const server = await startLocalNeo4j({ dataDir, port: 0, gds: true, heap: '1g', pagecache: '64m', startTimeoutMs: 240_000 });
  const db = new Db({ uri: server.uri, user: 'neo4j', password: server.password });
  const stop = async () => {
    await db.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await applySchema(db);
    const topics = Array.from({ length: COMMUNITIES * TOPICS_PER_COMMUNITY }, (_, i) =>
      topic(Math.floor(i / TOPICS_PER_COMMUNITY), i % TOPICS_PER_COMMUNITY),
    );
    await db.write('segmentation/plant-gds-interests', { topics, users: plantedUsers() }, { deadline: 'batch' });
  } catch (err) {
    await stop();
    throw err;
  }
  return { uri: server.uri, password: server.password, db, stop };
}
