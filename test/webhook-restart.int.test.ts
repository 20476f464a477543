import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { importProfiles } from './support/dashboard-seed.js';
import { createAudience, evaluated, until } from './support/audiences.js';
import { banner, startMain, type MainChild } from './support/main-process.js';
import { verifySignature, WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The delivering process dies (SIGKILL) while a delivery is being retried; another process takes the job over once
 * the lease has expired and delivers it, with the same idempotency key: the outbox in Neo4j loses nothing. The test's
 * own app serves the API only (the harness starts no background jobs); `npm start` processes run the jobs.
 */

const stateDir = mkdtempSync(path.join(tmpdir(), 'ns-webhook-restart-'));
const p = randomUUID().slice(0, 8);
const SECRET_KEY = 'test-secret-key-0123456789';
const ADMIN_KEY = `restart-admin-${p}-0123456789`;
const CHILD_ENV = {
  SECRET_KEY,
  ADMIN_API_KEY: ADMIN_KEY,
  JOB_LEASE_MS: '2000',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_RETRY_BASE_MS: '600',
};

let t: TestApp;
let receiver: WebhookReceiver;
const children: MainChild[] = [];
let audienceId: string | undefined;

/** The owners of the job leases held now. */
async function leaseHolders(): Promise<Map<string, string>> {
  const rows = await t.db.read<{ name: string; owner: string }>('test/list-job-leases');
  return new Map(rows.map((r) => [r.name, r.owner]));
}

async function startDeliverer(): Promise<MainChild> {
  const child = startMain(stateDir, CHILD_ENV);
  children.push(child);
  await banner(child);
  return child;
}

beforeAll(async () => {
  t = await startTestApp({ SECRET_KEY });
  receiver = await new WebhookReceiver().start();
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  if (audienceId) await t?.call('DELETE', `/v1/audiences/${audienceId}`, { key: t.adminKey });
  await receiver?.close();
  await t?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('a restart of the delivering process', () => {
  it('loses no delivery: the next process retries it with the same idempotency key', async () => {
    const first = await startDeliverer();
    const holders = await until(leaseHolders, (h) => h.has('webhook-delivery') && h.has('audience-evaluator'), 30_000, 'leases taken');
    const interest = `Curling ${p}`;
    const a = await createAudience(t, t.adminKey, { name: `Curlers ${p}`, where: { interest: { topic: interest } } });
    audienceId = a.id;
    const res = await t.call('POST', `/v1/audiences/${a.id}/destinations`, { key: t.adminKey, body: { url: `${receiver.base}/hook` } });
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };
    await evaluated(t, t.adminKey, a.id);

    // The receiver is down: every attempt of the first process fails.
    let up = false;
    receiver.answer('/hook', () => (up ? 200 : 503));
    await importProfiles(t, t.adminKey, [{ externalId: `${p}-stone`, interests: [{ topic: interest }] }]);
    await until(
      async () => receiver.on('/hook').length,
      (n) => n >= 2,
      20_000,
      'two failed attempts',
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const failedAttempts = receiver.on('/hook').length;
    up = true;

    // A new process takes over once the dead one's lease has expired, and delivers.
    await startDeliverer();
    await until(
      async () => receiver.accepted('/hook').length,
      (n) => n > 0,
      30_000,
      'delivery after the restart',
    );
    const after = await leaseHolders();
    expect(after.get('webhook-delivery')).not.toBe(holders.get('webhook-delivery'));

    const attempts = receiver.on('/hook');
    expect(attempts.length).toBeGreaterThan(failedAttempts);
    expect(new Set(attempts.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    for (const r of attempts) expect(verifySignature(secret, r, r.at)).toBe(true);
    const events = receiver.accepted('/hook');
    expect(events).toEqual([expect.objectContaining({ type: 'audience.entered', user: `crm:${p}-stone` })]);
  });
});
