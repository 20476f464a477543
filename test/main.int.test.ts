import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { banner, startMain as startProcess } from './support/main-process.js';

const stateDir = mkdtempSync(path.join(tmpdir(), 'ns-main-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const startMain = (env: Record<string, string>) => startProcess(stateDir, env);

/** Two groups of people, each liking three of its group's four topics: two natural segments. */
function plantedProfiles(): string[] {
  const stamp = Date.now().toString(36);
  return ['Alpine', 'Baking'].flatMap((group) =>
    Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({
        externalId: `main-${stamp}-${group}-${i}`,
        interests: [0, 1, 2, 3].filter((k) => k !== i % 4).map((k) => ({ topic: `main ${stamp} ${group} ${k}` })),
      }),
    ),
  );
}

describe('the service process (npm start)', () => {
  it('prints its URLs and a generated admin key, serves with it, and exits cleanly on SIGTERM', async () => {
    const child = startMain({ ADMIN_API_KEY: '', SECRET_KEY: '' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await servesAndDrains(child, exited);
    } finally {
      // A failed assertion must not leave the service (and its worker, which claims queued runs) running.
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 150_000);

  async function servesAndDrains(child: ReturnType<typeof startMain>, exited: Promise<number | null>): Promise<void> {
    const { printed, base, key, lines, stderr } = await banner(child);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed).toContain(`${base}/docs`);
    // The generated key is kept under the state directory so a restart keeps it.
    expect(readFileSync(path.join(stateDir, 'admin-api-key'), 'utf8').trim()).toBe(key);

    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const keys = await fetch(`${base}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });
    expect(keys.status).toBe(200);

    // Its own people, so the run finds segments whatever else the database holds (on an empty one it would be rejected).
    const planted = await fetch(`${base}/v1/imports/profiles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: plantedProfiles().join('\n'),
    });
    expect(planted.status).toBe(200);

    // One command runs everything: the run is executed by the worker process the service spawned.
    const queued = await fetch(`${base}/v1/segmentation/runs`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: string };
    let run: { status: string; error?: string } = { status: 'queued' };
    for (const deadline = Date.now() + 90_000; run.status === 'queued' || run.status === 'running';) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 200));
      run = (await (
        await fetch(`${base}/v1/segmentation/runs/${id}`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as typeof run;
    }
    expect(run.status, run.error).toBe('succeeded');

    // A first import compiles the import statements, so the drain below measures draining, not a cold database
    // (the first import into a fresh one took 6–8 s on a loaded machine, near the 10 s drain limit).
    const warm = await fetch(`${base}/v1/imports/profiles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: JSON.stringify({ externalId: 'drain-warm', interests: [{ topic: 'drain topic warm' }] }),
    });
    expect(warm.status).toBe(200);

    // An import still arriving when SIGTERM comes is finished and answered before the process exits.
    const records = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ externalId: `drain-${i}`, interests: [{ topic: `drain topic ${i % 7}` }] }),
    );
    const half = Math.floor(records.length / 2);
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/v1/imports/profiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(records.slice(0, half).join('\n') + '\n');
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(records.slice(half).join('\n')), 300);
      }, 300);
    });
    const drained = await answer;
    expect(drained.status).toBe(200);
    expect(JSON.parse(drained.body)).toEqual({ imported: records.length, rejected: [], suppressed: [] });
    expect(await exited).toBe(0);
    expect([...lines, ...stderr].join('\n')).not.toMatch(/shutdown did not finish cleanly|could not stop/);
  }

  it('stops at start with a clear message when SEGMENTATION_ENGINE=gds and the database has no Graph Data Science', async () => {
    // The shared test instance has no GDS plugin.
    const child = startMain({
      SEGMENTATION_ENGINE: 'gds',
      SECRET_KEY: 'test-secret-key-0123456789',
      ADMIN_API_KEY: 'test-admin-key-0123456789',
    });
    const output: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => output.push(l));
    createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    const text = output.join('\n');
    expect(text).toMatch(/SEGMENTATION_ENGINE=gds needs the Neo4j Graph Data Science plugin/);
    // It never got as far as serving.
    expect(text).not.toMatch(/Admin API key:/);
  }, 60_000);
});
