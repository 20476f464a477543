import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insight } from '../src/insight/insight-service.js';
import { parseCsvRows } from '../src/ingest/csv-rows.js';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation, segmentOfTopic, sleep } from './support/dashboard-seed.js';

/**
 * Reports through the real HTTP API: the PDF printed by headless Chromium opens (poppler's pdftoppm renders its first
 * page) and says what the insight endpoint says; PNG charts and CSV; share links that expire and can be revoked;
 * and the renderer's limits (no Chromium, too many renders at once, a deadline).
 */

const p = `rep${randomUUID().slice(0, 8)}`;
const sailing = ['Sailing knots', 'Regattas', 'Harbour towns', 'Sea charts', 'Dinghies'].map((n) => `${p} ${n}`);
const pottery = ['Pottery wheels', 'Glazes', 'Kilns', 'Clay'].map((n) => `${p} ${n}`);
const interest = (topic: string, category: string, weight = 2) => ({ topic, category, weight, at: '2026-10-01T10:00:00Z' });

let t: TestApp;
let marketer: string;
let segment: { segmentId: string; label: string };
let dir: string;

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  marketer = await t.keyFor('marketer');
  dir = mkdtempSync(path.join(tmpdir(), 'ns-reports-'));
  await importProfiles(t, t.adminKey, [
    ...Array.from({ length: 14 }, (_, i) => ({
      externalId: `${p}-s${i}`,
      interests: sailing.filter((_, k) => k !== i % 5).map((n) => interest(n, 'Sea')),
    })),
    ...Array.from({ length: 9 }, (_, i) => ({
      externalId: `${p}-p${i}`,
      interests: pottery.filter((_, k) => k !== i % 4).map((n) => interest(n, 'Crafts')),
    })),
  ]);
  await runSegmentation(t, t.adminKey);
  segment = await segmentOfTopic(t, marketer, sailing[0]!);
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const exportReport = (app: TestApp, key: string, body: Record<string, unknown>) =>
  app.call('POST', '/v1/reports/export', { key, body: { audience: { segment: segment.segmentId }, ...body } });

const fmt = (x: number) => new Intl.NumberFormat('en').format(x);

/** A second app with other settings, serving the visible run (its first check happens in the background at start). */
async function otherApp(env: Record<string, string>): Promise<TestApp> {
  const app = await startTestApp(env);
  await app.services.segmentation.visible.refresh();
  return app;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('reports', () => {
  it('prints a segment report as a PDF that opens and says what the insight endpoint says', async () => {
    const res = await exportReport(t, marketer, { format: 'pdf', title: `${p} sailing report` });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="report-.+\.pdf"$/);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    // The first page renders to an image.
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, path.join(dir, 'page')]);
    const page = readFileSync(path.join(dir, 'page-1.png'));
    expect(pngSize(page).width).toBeGreaterThan(300);

    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    const insight = await getJson<Insight>(t, marketer, `/v1/segments/${segment.segmentId}/insight`);
    expect(text).toContain(`${p} sailing report`);
    expect(text).toContain(`${fmt(insight.size)} people`);
    expect(text).toContain(`of the population of ${fmt(insight.population)}`);
    expect(insight.topics.length).toBeGreaterThan(0);
    // The tables' rows in order (a long name wraps onto the next line, the figures stay on one): members, share of
    // members, share of the population (holders), lift.
    const flat = text.replace(/\s+/g, ' ');
    const rows = [...flat.matchAll(/ (\d[\d,]*) (\d+(?:\.\d)?%) (\d+(?:\.\d)?%) \((\d[\d,]*)\) (\d+\.\d\d)/g)].map((m) => [
      m[1],
      m[4],
      m[5],
    ]);
    const want = [...insight.topics, ...insight.categories].map((x) => [fmt(x.members), fmt(x.holders), x.lift.toFixed(2)]);
    expect(rows).toEqual(want);
    // Names: the chart lists the first ten topics whole, one a line.
    for (const topic of insight.topics.slice(0, 10))
      expect(text).toMatch(new RegExp(`${topic.name} +×${topic.lift.toFixed(2).replace('.', '\\.')}`));
    for (const person of insight.topPeople) expect(text).toContain(person.user);
  });

  it('exports a chart as PNG and the figures as CSV', async () => {
    const png = await exportReport(t, marketer, { format: 'png', chart: 'categories' });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toMatch(/-categories\.png"$/);
    const size = pngSize(Buffer.from(await png.arrayBuffer()));
    expect(size.width).toBeGreaterThan(200);
    expect(size.height).toBeGreaterThan(30);

    const csv = await exportReport(t, marketer, { format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsvRows(await csv.text()).map((r) => r.cells);
    expect(header).toEqual(['kind', 'name', 'category', 'members', 'memberShare', 'holders', 'holderShare', 'lift']);
    const insight = await getJson<Insight>(t, marketer, `/v1/segments/${segment.segmentId}/insight`);
    expect(rows.filter((r) => r[0] === 'topic').map((r) => [r[1], Number(r[3]), Number(r[7])])).toEqual(
      insight.topics.map((x) => [x.name, x.members, x.lift]),
    );
    expect(rows.filter((r) => r[0] === 'category').map((r) => r[1])).toEqual(insight.categories.map((c) => c.name));
    expect((await exportReport(t, marketer, { format: 'docx' })).status).toBe(400);
    expect(
      (await t.call('POST', '/v1/reports/export', { key: marketer, body: { audience: { segment: 'seg_nope' }, format: 'pdf' } })).status,
    ).toBe(404);
    expect((await exportReport(t, await t.keyFor('content'), { format: 'csv' })).status).toBe(403);
  });

  it('gives a share link that opens the report read-only, and nothing else, until it is revoked', async () => {
    const created = await t.call('POST', '/v1/reports/share-links', {
      key: marketer,
      body: { audience: { segment: segment.segmentId, minAffinity: 0.5 }, expiresInHours: 24 },
    });
    expect(created.status).toBe(201);
    const link = (await created.json()) as { id: string; token: string; url: string; expiresAt: string; title: string; status: string };
    expect(link.token).toMatch(/^nss_/);
    expect(link.url).toBe(`${t.baseUrl}/#/shared/${link.token}`);
    expect(link.title).toBe(segment.label);
    expect(link.status).toBe('active');
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const shared = await t.call('GET', '/v1/reports/shared', { key: link.token });
    expect(shared.status).toBe(200);
    const doc = (await shared.json()) as { title: string; insight: Insight; expiresAt: string };
    const insight = await getJson<Insight>(t, marketer, `/v1/segments/${segment.segmentId}/insight?minAffinity=0.5`);
    expect(doc.insight.topics).toEqual(insight.topics);
    expect(doc.insight.size).toBe(insight.size);
    expect(doc.expiresAt).toBe(link.expiresAt);
    const csv = await t.call('GET', '/v1/reports/shared/export?format=csv', { key: link.token });
    expect(csv.status).toBe(200);
    // Read-only, and only this report: everything else is refused.
    for (const [method, route] of [
      ['GET', '/v1/segments'],
      ['GET', `/v1/segments/${segment.segmentId}/insight`],
      ['GET', `/v1/segments/${segment.segmentId}/audience`],
      ['POST', '/v1/segmentation/runs'],
      ['GET', '/v1/reports/share-links'],
      ['GET', '/v1/me'],
    ] as const) {
      expect((await t.call(method, route, { key: link.token, body: method === 'POST' ? {} : undefined })).status, route).toBe(403);
    }
    // Only the token's hash is stored.
    const stored = await t.db.read<{ props: Record<string, unknown> }>('test/share-link-props', { id: link.id });
    expect(JSON.stringify(stored)).not.toContain(link.token);

    expect((await t.call('DELETE', `/v1/reports/share-links/${link.id}`, { key: marketer })).status).toBe(204);
    const revoked = await t.call('GET', '/v1/reports/shared', { key: link.token });
    expect(revoked.status).toBe(401);
    const problem = (await revoked.json()) as { type: string; detail: string };
    expect(problem.type).toMatch(/share-link-revoked$/);
    expect((await t.call('GET', '/v1/reports/shared/export?format=csv', { key: link.token })).status).toBe(401);
    const list = await getJson<{ items: Array<{ id: string; status: string; revokedAt: string | null }> }>(
      t,
      marketer,
      '/v1/reports/share-links?limit=1000',
    );
    expect(list.items.find((l) => l.id === link.id)).toMatchObject({ status: 'revoked' });
    expect(JSON.stringify(list)).not.toContain('nss_');
    expect((await t.call('DELETE', '/v1/reports/share-links/nope', { key: marketer })).status).toBe(404);
  });

  it('refuses an expired link, and a forged or altered one', async () => {
    // A link created for 3 s (the API's minimum is an hour), through the service the route uses: long enough that its
    // first use is still in time on a loaded machine (with 1 s it was not, once).
    const link = await t.services.reports.links.create({ audience: { segment: segment.segmentId }, title: 'short-lived' }, 3_000, 'test');
    expect((await t.call('GET', '/v1/reports/shared', { key: link.token })).status).toBe(200);
    await sleep(Date.parse(link.expiresAt) - Date.now() + 200);
    const expired = await t.call('GET', '/v1/reports/shared', { key: link.token });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { type: string }).type).toMatch(/share-link-expired$/);

    const fresh = await t.services.reports.links.create({ audience: { segment: segment.segmentId }, title: 'x' }, 3_600_000, 'test');
    const [body, mac] = fresh.token.slice(4).split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { e: number };
    const longer = Buffer.from(JSON.stringify({ ...payload, e: payload.e + 86_400 })).toString('base64url');
    for (const forged of [`nss_${longer}.${mac}`, `${fresh.token.slice(0, -2)}xx`, 'nss_garbage']) {
      const res = await t.call('GET', '/v1/reports/shared', { key: forged });
      expect(res.status, forged).toBe(401);
    }
    // An API key is not a share link.
    expect((await t.call('GET', '/v1/reports/shared', { key: marketer })).status).toBe(403);
    expect((await t.call('GET', '/v1/reports/shared')).status).toBe(401);
  });

  it("answers 503 without Chromium, 429 beyond the renders it runs at once, and 503 past a render's deadline", async () => {
    const noBrowser = await otherApp({ CHROMIUM_PATH: path.join(dir, 'no-chromium') });
    try {
      const key = await noBrowser.keyFor('marketer');
      const res = await exportReport(noBrowser, key, { format: 'pdf' });
      expect(res.status).toBe(503);
      const problem = (await res.json()) as { type: string; detail: string };
      expect(problem.type).toMatch(/renderer-unavailable$/);
      expect(problem.detail).toMatch(/No Chromium at .*no-chromium.*CHROMIUM_PATH/);
      // CSV needs no browser.
      expect((await exportReport(noBrowser, key, { format: 'csv' })).status).toBe(200);
    } finally {
      await noBrowser.close();
    }

    const one = await otherApp({ REPORT_RENDER_CONCURRENCY: '1', REPORT_RENDER_QUEUE: '0' });
    try {
      const key = await one.keyFor('marketer');
      const answers = await Promise.all([exportReport(one, key, { format: 'pdf' }), exportReport(one, key, { format: 'pdf' })]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 429]);
      const busy = answers.find((a) => a.status === 429)!;
      expect(busy.headers.get('retry-after')).toBe('5');
      expect(((await busy.json()) as { type: string }).type).toMatch(/render-busy$/);
      // Capacity is back once the render is done.
      expect((await exportReport(one, key, { format: 'png' })).status).toBe(200);
    } finally {
      await one.close();
    }

    const hurried = await otherApp({ REPORT_RENDER_TIMEOUT_MS: '1' });
    try {
      const res = await exportReport(hurried, await hurried.keyFor('marketer'), { format: 'pdf' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { type: string }).type).toMatch(/render-timeout$/);
    } finally {
      await hurried.close();
    }
  });
});
