import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import type { LocalNeo4j, StartOptions } from './local-neo4j.js';
import type { Db } from './neo4j.js';
import { superviseNeo4j } from './supervisor.js';

/** A stand-in server: its "process" dies when the test says so. */
function fakeServer(n: number): LocalNeo4j & { die(): void; stopped: boolean } {
  const proc = new EventEmitter() as ChildProcess;
  const server = {
    uri: `bolt://127.0.0.1:7999#${n}`,
    port: 7999,
    password: 'pw',
    process: proc,
    stopped: false,
    die: () => void proc.emit('exit', null, 'SIGKILL'),
    stop: async () => {
      server.stopped = true;
    },
  };
  return server;
}

function harness(script: Array<'ok' | 'fail'>, policy = {}) {
  const started: Array<ReturnType<typeof fakeServer>> = [];
  const calls: StartOptions[] = [];
  let step = 0;
  const start = async (opts: StartOptions) => {
    calls.push(opts);
    const outcome = script[step++] ?? 'ok';
    if (outcome === 'fail') throw new Error('would not start');
    const s = fakeServer(started.length);
    started.push(s);
    return s;
  };
  const onGiveUp = vi.fn();
  const marks: Array<string | null> = [];
  const db = { setUnavailable: (reason: string | null) => void marks.push(reason) } as unknown as Db;
  const options = {
    logger: createLogger('silent'),
    onGiveUp,
    start,
    policy: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 3, stableMs: 60_000, ...policy },
  };
  return { started, calls, onGiveUp, marks, db, options };
}

describe('superviseNeo4j', () => {
  it('restarts a dead server on the same port and password, marking the database away meanwhile', async () => {
    const h = harness(['ok', 'fail', 'ok']);
    const sup = await superviseNeo4j({ dataDir: '/tmp/x', port: 7999, password: 'pw' }, h.options);
    sup.attach(h.db);
    const up = new Promise<void>((resolve) => sup.on('up', resolve));
    h.started[0]!.die();
    expect(h.marks).toHaveLength(1);
    expect(h.marks[0]).toMatch(/restarted/);
    await up;
    expect(h.marks).toEqual([h.marks[0], null]);
    expect(h.calls).toHaveLength(3);
    for (const c of h.calls) expect(c).toMatchObject({ port: 7999, password: 'pw', dataDir: '/tmp/x' });
    expect(sup.current()).toBe(h.started[1]);
    expect(h.onGiveUp).not.toHaveBeenCalled();
    await sup.stop();
    expect(h.started[1]!.stopped).toBe(true);
  });

  it('gives up after the configured number of failed restarts in a row', async () => {
    const h = harness(['ok', 'fail', 'fail', 'fail', 'ok']);
    const sup = await superviseNeo4j({ dataDir: '/tmp/x', port: 7999, password: 'pw' }, h.options);
    h.started[0]!.die();
    await vi.waitFor(() => expect(h.onGiveUp).toHaveBeenCalledOnce());
    expect(h.calls).toHaveLength(4);
    expect(String(h.onGiveUp.mock.calls[0]![0])).toMatch(/3 restarts failed/);
    await sup.stop();
  });

  it('counts a server that dies soon after its restart as a failure, and one that stayed up as healthy', async () => {
    let now = 0;
    const h = harness(['ok', 'ok', 'ok', 'ok', 'ok'], { maxAttempts: 2 });
    const sup = await superviseNeo4j({ dataDir: '/tmp/x', port: 7999, password: 'pw' }, { ...h.options, now: () => now });
    let ups = 0;
    sup.on('up', () => void ups++);
    h.started[0]!.die();
    await vi.waitFor(() => expect(ups).toBe(1));
    h.started[1]!.die(); // at once: the second failure in a row
    await vi.waitFor(() => expect(ups).toBe(2));
    h.started[2]!.die();
    await vi.waitFor(() => expect(h.onGiveUp).toHaveBeenCalledOnce());

    const healthy = harness(['ok', 'ok', 'ok', 'ok'], { maxAttempts: 2 });
    const sup2 = await superviseNeo4j({ dataDir: '/tmp/x', port: 7999, password: 'pw' }, { ...healthy.options, now: () => now });
    let ups2 = 0;
    sup2.on('up', () => void ups2++);
    for (let i = 0; i < 3; i++) {
      now += 120_000; // each one stayed up two minutes
      healthy.started[i]!.die();
      await vi.waitFor(() => expect(ups2).toBe(i + 1));
    }
    expect(healthy.onGiveUp).not.toHaveBeenCalled();
    await sup.stop();
    await sup2.stop();
  });

  it('stops without restarting when asked to during the wait before a restart', async () => {
    const h = harness(['ok'], { initialDelayMs: 60_000, maxDelayMs: 60_000 });
    const sup = await superviseNeo4j({ dataDir: '/tmp/x', port: 7999, password: 'pw' }, h.options);
    h.started[0]!.die();
    await sup.stop();
    expect(h.calls).toHaveLength(1);
  });
});
