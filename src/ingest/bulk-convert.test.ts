import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProfiles } from '../demo/planted.js';
import { convertFile, type ConvertOutcome } from './bulk-convert.js';
import { bulkImportArgs } from './bulk-csv.js';
import { scanFile } from './bulk-read.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bulk-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Planted people plus records whose meaning depends on other records anywhere in the file: one email from two
 * external ids (stitched), a repeated id (the last valid record wins), a topic spelled differently early and late
 * (the earliest spelling names it, the earliest category sticks), lines that are not records.
 */
function fileText(): string {
  const lines: string[] = [];
  const planted = [...generateProfiles({ users: 600, communities: 6, topicsPerCommunity: 12, seed: 5 })];
  planted.forEach((r, i) => {
    lines.push(JSON.stringify(r));
    if (i === 10) lines.push(JSON.stringify({ externalId: 'x-1', email: 'Same@Example.org', interests: [{ topic: 'Rare  TOPIC' }] }));
    if (i === 20) lines.push('{"externalId": "broken');
    if (i === 300)
      lines.push(JSON.stringify({ externalId: 'x-2', email: 'same@example.org', interests: [{ topic: 'rare topic', category: 'Late' }] }));
    if (i === 400) lines.push(JSON.stringify({ externalId: 'x-3', interests: [{ topic: 'Old' }] }));
    if (i === 450) lines.push(JSON.stringify({ externalId: 'x-3', name: 'Three', interests: [{ topic: 'New', weight: 4 }] }));
    if (i === 500) lines.push(JSON.stringify({ externalId: 'x-4', interests: [{ topic: 'RARE topic', weight: -1 }] }));
    if (i === 550) lines.push(JSON.stringify({ externalId: 'x-5', interests: [{ topic: 'RARE topic', category: 'Later' }] }));
  });
  return lines.join('\n') + '\n';
}

/** The CSV rows of a conversion, every random user id replaced by the identities of its person, sorted. */
const FILES = ['users', 'identities', 'topics', 'identifies', 'interests', 'purchases'] as const;

function normalized(csvDir: string): Record<(typeof FILES)[number], string[]> {
  const files = readdirSync(csvDir);
  const rows = (name: string) =>
    files
      .filter((f) => f.startsWith(`${name}.part-`))
      .flatMap((f) => readFileSync(path.join(csvDir, f), 'utf8').split('\n'))
      .filter(Boolean);
  const owner = new Map<string, string[]>();
  for (const row of rows('identifies')) {
    const [identity, user] = row.split(',');
    owner.set(user!, [...(owner.get(user!) ?? []), identity!].sort());
  }
  const out = {} as Record<(typeof FILES)[number], string[]>;
  for (const name of FILES) {
    out[name] = rows(name)
      .map((row) => row.replace(/"[0-9a-f]{8}-[0-9a-f-]{27}"/g, (id) => `<${owner.get(id)!.join('+')}>`))
      .sort();
  }
  return out;
}

async function convertWith(file: string, threads: number): Promise<{ outcome: ConvertOutcome; rows: ReturnType<typeof normalized> }> {
  const csvDir = mkdtempSync(path.join(dir, `t${threads}-`));
  const scan = await scanFile(file, 'ndjson', () => undefined);
  const outcome = await convertFile({
    file,
    format: 'ndjson',
    scan,
    dir: csvDir,
    secretKey: 'unit-test-secret-key',
    now: '2026-11-29T00:00:00.000Z',
    threads,
    pieceBytes: 4096,
    onBytes: () => undefined,
  });
  // each thread wrote its own parts, and every part file is listed for neo4j-admin after its header
  expect(readdirSync(csvDir).filter((f) => /^interests\.part-t\d+\.csv$/.test(f))).toHaveLength(threads);
  const args = bulkImportArgs(csvDir);
  expect(args.find((a) => a.startsWith('--relationships=INTERESTED_IN='))).toMatch(/interests\.header\.csv,.*interests\.part-t\d+\.csv/);
  return { outcome: { ...outcome, rejected: [...outcome.rejected].sort((a, b) => a.line - b.line) }, rows: normalized(csvDir) };
}

describe('convertFile (worker threads)', () => {
  it('gives the same CSV rows with one thread and with two, whatever piece each thread converted', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    writeFileSync(file, fileText());
    const one = await convertWith(file, 1);
    const two = await convertWith(file, 2);
    expect(one.outcome.records).toBe(605);
    expect(one.outcome.rejected.map((r) => r.line)).toEqual([23, 507]);
    expect(two.outcome).toEqual(one.outcome);
    expect(two.rows).toEqual(one.rows);

    // The rules that span the file are in the rows: the stitched person, the repeat, the earliest name and category.
    expect(one.rows.users).toHaveLength(600 + 3);
    expect(one.rows.identifies.filter((r) => r.includes('<"crm:x-1"+"crm:x-2">'))).toHaveLength(2);
    expect(one.rows.topics.filter((r) => r.startsWith('"rare topic"'))).toEqual([expect.stringContaining('"Rare TOPIC","Late"')]);
    expect(one.rows.interests.filter((r) => r.startsWith('<"crm:x-3">'))).toEqual([expect.stringContaining('"new",4,')]);
  });
});
