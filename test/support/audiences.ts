import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { sleep } from './dashboard-seed.js';

export interface SavedAudience {
  id: string;
  name: string;
  holdoutPercent: number;
  members: number;
  holdout: number;
  evaluation: { status: 'pending' | 'current'; version: number; runId: string | null; evaluatedAt: string | null };
  firstExportedAt: string | null;
  exports: number;
  destinations: number;
}

export interface Stint {
  user: string;
  userId: string;
  enteredAt: string;
  exitedAt: string | null;
  holdout: boolean;
}

/** Settings for apps whose background jobs these tests watch: short leases, loopback webhooks allowed. */
export const JOB_ENV = {
  BACKGROUND_JOBS: 'true',
  JOB_LEASE_MS: '3000',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_RETRY_BASE_MS: '400',
};

/** Polls `probe` until `ok` holds; its last value. */
export async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await sleep(100);
  }
}

/** Waits until this app's process holds the background jobs' leases (another file's app may still be giving them back). */
export async function holdJobs(t: TestApp): Promise<void> {
  await until(
    async () => t.services.audiences.jobs.holds('audience-evaluator') && t.services.audiences.jobs.holds('webhook-delivery'),
    Boolean,
    30_000,
    'job leases',
  );
}

export async function createAudience(t: TestApp, key: string, body: unknown): Promise<SavedAudience> {
  const res = await t.call('POST', '/v1/audiences', { key, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as SavedAudience;
}

export async function getAudience(t: TestApp, key: string, id: string): Promise<SavedAudience> {
  const res = await t.call('GET', `/v1/audiences/${id}`, { key });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as SavedAudience;
}

/** The audience once the evaluator has applied its definition (against `runId` when given). */
export function evaluated(t: TestApp, key: string, id: string, runId?: string): Promise<SavedAudience> {
  return until(
    () => getAudience(t, key, id),
    (a) => a.evaluation.status === 'current' && (runId === undefined || a.evaluation.runId === runId),
    30_000,
    `evaluation of ${id}`,
  );
}

/** Every stint of the audience's history (or one person's), following cursors. */
export async function history(t: TestApp, key: string, id: string, user?: string): Promise<Stint[]> {
  const out: Stint[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ limit: '1000', ...(user ? { user } : {}), ...(cursor ? { cursor } : {}) });
    const res = await t.call('GET', `/v1/audiences/${id}/history?${q}`, { key });
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as { items: Stint[]; nextCursor?: string };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Current members outside the holdout (JSON pages), as `user` addresses. */
export async function members(
  t: TestApp,
  key: string,
  id: string,
  limit = 1000,
): Promise<Array<{ user: string; userId: string; enteredAt: string }>> {
  const out: Array<{ user: string; userId: string; enteredAt: string }> = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const res = await t.call('GET', `/v1/audiences/${id}/members?${q}`, { key });
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as { items: Array<{ user: string; userId: string; enteredAt: string }>; nextCursor?: string };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
