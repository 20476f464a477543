import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, sleep } from './support/dashboard-seed.js';
import { createAudience, evaluated, holdJobs, JOB_ENV, until } from './support/audiences.js';
import { verifySignature, WebhookReceiver, type WebhookEvent } from './support/webhook-receiver.js';

/**
 * Webhook destinations of saved audiences, through the real HTTP API on a real Neo4j, to a receiver on loopback:
 * signed deliveries of audience.entered within seconds of the import that qualifies a person, retries with backoff
 * and the same idempotency key, nothing for people without consent, a backfill for a destination added later.
 */

const p = randomUUID().slice(0, 8);
const topic = (name: string) => `${name} ${p}`;
const crm = (id: string) => `crm:${p}-${id}`;

let t: TestApp;
let marketer: string;
let ingest: string;
let receiver: WebhookReceiver;
const audiences: string[] = [];

interface Destination {
  id: string;
  secret: string;
  url: string;
  backfilled: boolean;
  queued: number;
}

beforeAll(async () => {
  t = await startTestApp(JOB_ENV);
  [marketer, ingest] = await Promise.all([t.keyFor('marketer'), t.keyFor('ingest')]);
  receiver = await new WebhookReceiver().start();
  await holdJobs(t);
});

afterAll(async () => {
  for (const id of audiences) await t?.call('DELETE', `/v1/audiences/${id}`, { key: marketer });
  await receiver?.close();
  await t?.close();
});

/** An audience of the people interested in `interest`, with a destination on the receiver at `path`. */
async function audienceWithDestination(interest: string, path: string, extra: Record<string, unknown> = {}) {
  const a = await createAudience(t, marketer, { name: `Hook ${path} ${p}`, where: { interest: { topic: interest } }, ...extra });
  audiences.push(a.id);
  const res = await t.call('POST', `/v1/audiences/${a.id}/destinations`, {
    key: marketer,
    body: { url: receiver.base + path, name: path },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const d = (await res.json()) as Destination;
  await evaluated(t, marketer, a.id);
  await until(
    () => getJson<Destination>(t, marketer, `/v1/audiences/${a.id}/destinations/${d.id}`),
    (x) => x.backfilled,
    20_000,
    'backfill',
  );
  return { audience: a, destination: d };
}

const eventsFor = (path: string, user: string, type = 'audience.entered'): WebhookEvent[] =>
  receiver.accepted(path).filter((e) => e.user === user && e.type === type);

describe('webhook destinations', () => {
  it('delivers exactly one signed audience.entered within 5 s of the import that qualifies a person', async () => {
    const interest = topic('Beekeeping');
    const { audience, destination } = await audienceWithDestination(interest, '/fast');
    expect(destination.secret).toMatch(/^whsec_/);
    await importProfiles(t, ingest, [{ externalId: `${p}-bee`, interests: [{ topic: interest }] }]);
    // Counted from the import's answer: the person is in the database then.
    const started = Date.now();
    await until(
      async () => eventsFor('/fast', crm('bee')).length,
      (n) => n > 0,
      5000,
      'delivery',
    );
    expect(Date.now() - started).toBeLessThan(5000);

    const request = receiver.on('/fast').find((r) => r.body.includes(crm('bee')))!;
    expect(verifySignature(destination.secret, request)).toBe(true);
    // Any Standard Webhooks library verifies it too; a tampered body does not verify.
    expect(() => new Webhook(destination.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    expect(verifySignature(destination.secret, { ...request, body: request.body.replace('bee', 'wasp') })).toBe(false);
    expect(verifySignature(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, request)).toBe(false);
    const body = JSON.parse(request.body) as { id: string; destinationId: string; events: WebhookEvent[] };
    expect(request.headers['webhook-id']).toBe(body.id);
    expect(request.headers['idempotency-key']).toBe(body.id);
    expect(body.destinationId).toBe(destination.id);
    expect(body.events).toEqual([
      expect.objectContaining({ type: 'audience.entered', user: crm('bee'), audience: { id: audience.id, name: audience.name } }),
    ]);

    // Nothing more arrives for them: one event, one request.
    await sleep(2000);
    expect(eventsFor('/fast', crm('bee'))).toHaveLength(1);
    expect(receiver.on('/fast')).toHaveLength(1);
    const log = await getJson<{ items: Array<{ id: string; state: string; attempts: number; sent: number }> }>(
      t,
      marketer,
      `/v1/audiences/${audience.id}/destinations/${destination.id}/deliveries`,
    );
    expect(log.items).toEqual([expect.objectContaining({ id: body.id, state: 'delivered', attempts: 1, sent: 1 })]);
    expect(
      (await getJson<{ exports: number; firstExportedAt: string | null }>(t, marketer, `/v1/audiences/${audience.id}`)).firstExportedAt,
    ).toBeTruthy();
  });

  it('retries with backoff and the same idempotency key after the receiver answered 500 twice', async () => {
    const interest = topic('Kayaking');
    const { destination } = await audienceWithDestination(interest, '/flaky');
    receiver.answer('/flaky', (n) => (n <= 2 ? 500 : 200));
    await importProfiles(t, ingest, [{ externalId: `${p}-kayak`, interests: [{ topic: interest }] }]);
    const started = Date.now();
    await until(
      async () => eventsFor('/flaky', crm('kayak')).length,
      (n) => n > 0,
      20_000,
      'delivery after retries',
    );
    // Two failures cost 0.6..1.2 s of backoff: still within 5 s of the import's answer.
    expect(Date.now() - started).toBeLessThan(5000);
    const attempts = receiver.on('/flaky');
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
    const ids = new Set(attempts.map((r) => r.headers['idempotency-key']));
    expect(ids.size).toBe(1);
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(ids);
    // The same events every time, each attempt signed afresh.
    expect(new Set(attempts.map((r) => JSON.stringify((JSON.parse(r.body) as { events: unknown }).events))).size).toBe(1);
    for (const r of attempts) expect(verifySignature(destination.secret, r)).toBe(true);
    // Exponential backoff with jitter (WEBHOOK_RETRY_BASE_MS=400): 200..400 ms, then 400..800 ms.
    const gap1 = attempts[1]!.at - attempts[0]!.at;
    const gap2 = attempts[2]!.at - attempts[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(180);
    expect(gap2).toBeGreaterThanOrEqual(380);
    await sleep(1500);
    expect(eventsFor('/flaky', crm('kayak'))).toHaveLength(1);
  });

  it('never delivers people without consent, checked again at delivery time', async () => {
    const interest = topic('Origami');
    const { audience, destination } = await audienceWithDestination(interest, '/consent');
    let open = false;
    receiver.answer('/consent', () => (open ? 200 : 500));
    // Imported without consent: never a member, never sent.
    await importProfiles(t, ingest, [{ externalId: `${p}-never`, interests: [{ topic: interest }], consent: { segmentation: false } }]);
    // Consenting when queued, but withdraws before the receiver takes the delivery.
    await importProfiles(t, ingest, [{ externalId: `${p}-leaves`, interests: [{ topic: interest }] }]);
    await until(
      async () => receiver.on('/consent').length,
      (n) => n > 0,
      10_000,
      'first attempt',
    );
    expect(receiver.on('/consent')[0]!.body).toContain(crm('leaves'));
    await importProfiles(t, ingest, [{ externalId: `${p}-leaves`, interests: [{ topic: interest }], consent: { segmentation: false } }]);
    // Someone who keeps consenting, so the receiver does get deliveries after the withdrawal.
    await importProfiles(t, ingest, [{ externalId: `${p}-stays`, interests: [{ topic: interest }] }]);
    await until(
      () => getJson<{ members: number }>(t, marketer, `/v1/audiences/${audience.id}`),
      (a) => a.members === 1,
      10_000,
      'withdrawal applied',
    );
    open = true;
    await until(
      async () => eventsFor('/consent', crm('stays')).length,
      (n) => n > 0,
      20_000,
      'delivery of the consenting person',
    );
    await sleep(1500);
    const accepted = receiver.accepted('/consent');
    expect(accepted.map((e) => e.user)).toEqual([crm('stays')]);
    expect(
      receiver
        .on('/consent')
        .filter((r) => r.status < 300)
        .some((r) => r.body.includes(crm('leaves'))),
    ).toBe(false);
    expect(JSON.stringify(receiver.received)).not.toContain(crm('never'));
    const log = await getJson<{ items: Array<{ dropped: number; state: string }> }>(
      t,
      marketer,
      `/v1/audiences/${audience.id}/destinations/${destination.id}/deliveries`,
    );
    expect(log.items.reduce((n, d) => n + d.dropped, 0)).toBeGreaterThanOrEqual(1);
    expect(log.items.every((d) => d.state === 'delivered')).toBe(true);
  });

  it('sends a destination added later the current members (backfill), holdout left out', async () => {
    const interest = topic('Fencing');
    const people = Array.from({ length: 24 }, (_, i) => `${p}-fence${i}`);
    await importProfiles(
      t,
      ingest,
      people.map((externalId) => ({ externalId, interests: [{ topic: interest }] })),
    );
    const a = await createAudience(t, marketer, { name: `Fencers ${p}`, where: { interest: { topic: interest } }, holdoutPercent: 25 });
    audiences.push(a.id);
    const ready = await evaluated(t, marketer, a.id);
    expect(ready.members + ready.holdout).toBe(people.length);
    const res = await t.call('POST', `/v1/audiences/${a.id}/destinations`, { key: marketer, body: { url: `${receiver.base}/late` } });
    expect(res.status).toBe(201);
    await until(
      async () => receiver.accepted('/late').length,
      (n) => n >= ready.members,
      20_000,
      'backfill delivered',
    );
    await sleep(1000);
    const users = receiver.accepted('/late').map((e) => e.user!);
    expect(new Set(users).size).toBe(users.length);
    expect(users).toHaveLength(ready.members);
    const exported = await t.call('GET', `/v1/audiences/${a.id}/members?limit=1000`, { key: marketer });
    expect(new Set(users)).toEqual(new Set(((await exported.json()) as { items: Array<{ user: string }> }).items.map((m) => m.user)));
  });

  it('refuses destinations that are not http(s) URLs and never shows a secret again', async () => {
    const a = await createAudience(t, marketer, { name: `Refusals ${p}`, where: { interest: { topic: topic('Nothing') } } });
    audiences.push(a.id);
    for (const url of ['ftp://example.org/x', 'not a url', 'javascript:alert(1)']) {
      const res = await t.call('POST', `/v1/audiences/${a.id}/destinations`, { key: marketer, body: { url } });
      expect(res.status, url).toBe(400);
    }
    expect((await t.call('POST', '/v1/audiences/aud_nope/destinations', { key: marketer, body: { url: receiver.base } })).status).toBe(404);
    const listed = await getJson<{ items: unknown[] }>(t, marketer, `/v1/audiences/${a.id}/destinations`);
    expect(listed.items).toEqual([]);
    expect(JSON.stringify(await getJson(t, marketer, `/v1/audiences/${audiences[0]}/destinations`))).not.toContain('whsec_');
  });
});
