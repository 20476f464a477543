import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Db } from '../src/db/neo4j.js';
import { createLogger } from '../src/logger.js';
import { JobHost, sleep, type Job } from '../src/jobs/job-host.js';

/**
 * Background jobs under a lease in Neo4j: however many processes host a job, one runs it at a time; a clean stop hands
 * it over at once, a holder that stops renewing loses it once the lease expires.
 */

let db: Db;
beforeAll(() => {
  // Generous deadlines on a shared machine (see test/support/app.ts).
  db = new Db({ uri: inject('neo4jUri'), user: 'neo4j', password: inject('neo4jPassword'), timeouts: { queryMs: 30_000 } });
});
afterAll(async () => {
  await db?.close();
});

/** Polls until `ok()` (a loaded machine can take seconds per database call). */
async function until(ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await sleep(50, new AbortController().signal);
  }
}

/** A job that records which host runs it and when, and flags any overlap. */
function probe(name: string, log: Array<{ host: string; at: number }>, running: Set<string>, overlaps: string[]) {
  return (host: string): Job => ({
    name,
    async run(signal) {
      running.add(host);
      if (running.size > 1) overlaps.push([...running].join('+'));
      while (!signal.aborted) {
        log.push({ host, at: Date.now() });
        await sleep(50, signal);
      }
      running.delete(host);
    },
  });
}

describe('job leases', () => {
  it('runs a job in one host at a time and hands it over on a clean stop', async () => {
    const name = `test-job-${randomUUID()}`;
    const log: Array<{ host: string; at: number }> = [];
    const running = new Set<string>();
    const overlaps: string[] = [];
    const job = probe(name, log, running, overlaps);
    const logger = createLogger('silent');
    // b asks every 3 s; a's lease, renewed every 3 s, would expire 6 to 9 s after a stops.
    const a = new JobHost(db, logger, { leaseMs: 9000, owner: 'host-a' }).add(job('a'));
    const b = new JobHost(db, logger, { leaseMs: 9000, owner: 'host-b' }).add(job('b'));
    a.start();
    await until(() => a.holds(name));
    b.start();
    await sleep(4000, new AbortController().signal);
    expect(a.holds(name)).toBe(true);
    expect(b.holds(name)).toBe(false);
    expect(new Set(log.map((l) => l.host))).toEqual(new Set(['a']));
    await a.stop();
    // Released on stop (not left to expire): a no longer owns it, and b takes over at its next try.
    const leases = await db.read<{ name: string; owner: string }>('test/list-job-leases');
    expect(leases.find((l) => l.name === name)?.owner).not.toBe('host-a');
    await until(() => b.holds(name));
    expect(new Set(log.map((l) => l.host))).toEqual(new Set(['a', 'b']));
    await b.stop();
    expect(overlaps).toEqual([]);
  });

  it('lets another host take over once a holder stopped renewing and its lease expired', async () => {
    const name = `test-job-${randomUUID()}`;
    // A holder that took the lease and then went silent (a dead process): its lease is never renewed or released.
    await db.write('jobs/acquire-lease', { name, owner: 'dead-host', ms: 1000 });
    const ran: number[] = [];
    const host = new JobHost(db, createLogger('silent'), { leaseMs: 1500, owner: 'live-host' }).add({
      name,
      async run(signal) {
        ran.push(Date.now());
        await sleep(60_000, signal);
      },
    });
    const started = Date.now();
    host.start();
    await until(() => ran.length > 0);
    expect(ran).toHaveLength(1);
    expect(ran[0]! - started).toBeGreaterThanOrEqual(800);
    await host.stop();
  });
});
