import type { z } from 'zod';
import { expect } from 'vitest';
import type { TestApp } from './app.js';

export interface Run {
  id: string;
  status: string;
  metrics?: Record<string, unknown>;
  error?: string;
}

export async function importProfiles(t: TestApp, key: string, records: unknown[]): Promise<void> {
  const res = await t.call('POST', '/v1/imports/profiles', { key, body: records });
  expect(res.status, await res.clone().text()).toBe(200);
  const out = (await res.json()) as { imported: number; rejected: unknown[] };
  expect(out.rejected).toEqual([]);
  expect(out.imported).toBe(records.length);
}

/** Starts a segmentation run (waiting out one already in progress) and polls until it has finished. */
export async function runSegmentation(t: TestApp, key: string, timeoutMs = 90_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  let id: string | undefined;
  while (!id) {
    const res = await t.call('POST', '/v1/segmentation/runs', { key, body: {} });
    if (res.status === 202) id = ((await res.json()) as Run).id;
    else if (res.status === 409 && Date.now() < deadline) await sleep(500);
    else throw new Error(`POST /v1/segmentation/runs answered ${res.status}: ${await res.text()}`);
  }
  return waitForRun(t, key, id, deadline);
}

/**
 * Polls a run until it has finished, either way. A succeeded run is visible in this app when this returns (an app
 * learns the visible run by polling the database: here it checks at once instead of within its interval).
 */
export async function finishedRun<R extends Run = Run>(t: TestApp, key: string, id: string, deadline = Date.now() + 90_000): Promise<R> {
  for (;;) {
    const run = (await (await t.call('GET', `/v1/segmentation/runs/${id}`, { key })).json()) as R;
    if (run.status === 'succeeded') await t.services.segmentation.visible.refresh();
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}`);
    await sleep(300);
  }
}

/** Polls a run until it has succeeded; a failed run is an error. */
export async function waitForRun(t: TestApp, key: string, id: string, deadline = Date.now() + 90_000): Promise<Run> {
  const run = await finishedRun(t, key, id, deadline);
  if (run.status === 'failed') throw new Error(`run ${id} failed: ${run.error}`);
  return run;
}

/** A 200 answer's body; with a schema (the route's own, from src/), read through it, so a drift in shape fails. */
export async function getJson<T>(t: TestApp, key: string, path: string): Promise<T>;
export async function getJson<S extends z.ZodType>(t: TestApp, key: string, path: string, schema: S): Promise<z.output<S>>;
export async function getJson(t: TestApp, key: string, path: string, schema?: z.ZodType): Promise<unknown> {
  const res = await t.call('GET', path, { key });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  const body: unknown = await res.json();
  return schema ? schema.parse(body) : body;
}

/** The segment a topic landed in, found through the public API. */
export async function segmentOfTopic(
  t: TestApp,
  key: string,
  name: string,
): Promise<{ topicId: string; segmentId: string; label: string }> {
  const found = await getJson<{ items: Array<{ id: string; name: string }> }>(t, key, `/v1/topics?q=${encodeURIComponent(name)}`);
  const topic = found.items.find((i) => i.name === name);
  expect(topic, `topic ${name}`).toBeDefined();
  const detail = await getJson<{ segmentId: string | null }>(t, key, `/v1/topics/${topic!.id}`);
  expect(detail.segmentId, `segment of ${name}`).toBeTruthy();
  const seg = await getJson<{ label: string }>(t, key, `/v1/segments/${encodeURIComponent(detail.segmentId!)}`);
  return { topicId: topic!.id, segmentId: detail.segmentId!, label: seg.label };
}

/** Every audience member of a segment at a threshold, following cursors. */
export async function audienceUsers(t: TestApp, key: string, segmentId: string, minAffinity: number): Promise<string[]> {
  const users: string[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ minAffinity: String(minAffinity), limit: '1000', ...(cursor ? { cursor } : {}) });
    const page = await getJson<{ items: Array<{ user: string }>; nextCursor?: string }>(
      t,
      key,
      `/v1/segments/${encodeURIComponent(segmentId)}/audience?${q}`,
    );
    users.push(...page.items.map((i) => i.user));
    cursor = page.nextCursor;
  } while (cursor);
  return users;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
