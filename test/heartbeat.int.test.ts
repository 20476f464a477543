/**
 * A run's heartbeat goes on while the worker's main thread is inside a long synchronous step (the heartbeat thread,
 * src/segmentation/heartbeat-thread.ts), and stops for a main thread blocked past its bound. Real Neo4j; the block is a
 * busy loop on this test's own thread.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Db } from '../src/db/neo4j.js';
import { createLogger } from '../src/logger.js';
import { SegmentationRepository } from '../src/segmentation/repository.js';
import { keepAlive } from '../src/segmentation/run-heartbeat.js';

const BLOCK_MS = 4_000;
/** Beats written during the block's first 2.5 s come from the thread; the main thread's timer cannot fire in it. */
const LATE_MS = 2_500;

let db: Db;
let repo: SegmentationRepository;
const ids: string[] = [];

beforeAll(() => {
  db = new Db({
    uri: process.env.NEO4J_URI ?? inject('neo4jUri'),
    user: 'neo4j',
    password: process.env.NEO4J_PASSWORD ?? inject('neo4jPassword'),
  });
  repo = new SegmentationRepository(db);
});

afterAll(async () => {
  for (const id of ids) await db.write('test/delete-run', { id });
  await db.close();
});

/** Keeps a fresh queued run alive, blocks this thread for BLOCK_MS, stops; the last heartbeat written, from the block's start. */
async function lastBeatAfterBlock(maxBlockMs: number): Promise<{ sinceBlock: number; phase: string | null }> {
  const id = randomUUID();
  ids.push(id);
  await db.write('test/create-queued-run', { id });
  const beat = keepAlive(repo, id, () => 'detect', createLogger('silent'), { beatMs: 200, maxBlockMs });
  await beat.ready;
  await new Promise((r) => setTimeout(r, 300));
  const blocked = Date.now();
  while (Date.now() - blocked < BLOCK_MS) {
    // a synchronous step: no timer of this thread fires
  }
  // Before this thread's own timer can fire again.
  beat.stop();
  // Writes the thread issued just before the stop arrived have committed by now.
  await new Promise((r) => setTimeout(r, 1_000));
  const [row] = await db.read<{ at: number; phase: string | null }>('test/run-heartbeat', { id });
  return { sinceBlock: row!.at - blocked, phase: row!.phase };
}

describe('run heartbeat', () => {
  it('is written during a long synchronous step of the main thread', async () => {
    const last = await lastBeatAfterBlock(60_000);
    expect(last.sinceBlock).toBeGreaterThan(LATE_MS);
    expect(last.phase).toBe('detect');
  }, 60_000);

  it('stops for a main thread blocked longer than its bound (presumed hung: left to recovery)', async () => {
    const last = await lastBeatAfterBlock(600);
    expect(last.sinceBlock).toBeLessThan(LATE_MS);
  }, 60_000);
});
