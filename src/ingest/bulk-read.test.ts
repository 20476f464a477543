import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INVALID_UTF8_LINE } from '../api/text.js';
import { BulkInputError, eachNdjsonItem, ndjsonPieces, readFile, scanFile } from './bulk-read.js';
import { parseImportFile, type ImportFormat, type RawItem } from './parse.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bulk-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function fileWith(text: string, ext: string): string {
  const file = path.join(dir, `f${n++}.${ext}`);
  writeFileSync(file, text);
  return file;
}

async function readAll(file: string, format: ImportFormat): Promise<RawItem[]> {
  const scan = await scanFile(file, format, () => undefined);
  const out: RawItem[] = [];
  for await (const item of readFile(file, format, scan, () => undefined)) out.push(item);
  return out.sort((a, b) => a.line - b.line);
}

describe('bulk file readers', () => {
  it('read NDJSON, JSON arrays and CSV as the online import parses the whole file', async () => {
    const ndjson = '\uFEFF{"externalId":"a","interests":[{"topic":"x, [y] {z}"}]}\r\n\n  \nnot json\n{"externalId":"b \\" ] }"}';
    const json = '[{"externalId":"a","name":"[\\"quoted\\"], {braces}"}, {"externalId":"b","interests":[{"topic":"t"}]} ]';
    const csv = 'externalId,email,topic,weight\nc-1,a@x.org,Chess,2\nc-2,,Golf,heavy\nc-1,,"Go, the game",\n,,Orphan,\nc-3,,Yoga,';
    for (const [text, format] of [
      [ndjson, 'ndjson'],
      [json, 'json'],
      [csv, 'csv'],
    ] as const) {
      expect(await readAll(fileWith(text, format), format), format).toEqual(parseImportFile(text, format).sort((a, b) => a.line - b.line));
    }
  });

  it('rejects an NDJSON line that is not UTF-8 by number, and refuses a JSON or CSV file holding such bytes', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"externalId":"a"}\n{"externalId":"b'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n{"externalId":"c"}'),
    ]);
    const file = path.join(dir, 'bad.ndjson');
    writeFileSync(file, bad);
    expect(await readAll(file, 'ndjson')).toEqual([
      { line: 1, value: { externalId: 'a' } },
      { line: 2, error: INVALID_UTF8_LINE },
      { line: 3, value: { externalId: 'c' } },
    ]);
    const json = path.join(dir, 'bad.json');
    writeFileSync(json, Buffer.concat([Buffer.from('[{"externalId":"'), Buffer.from([0xc3]), Buffer.from('"}]')]));
    await expect(readAll(json, 'json')).rejects.toThrow(/not valid UTF-8/);
  });

  it('cuts NDJSON into pieces of whole lines that, numbered by their first line, read as the whole file does', async () => {
    const bytes = Buffer.concat([
      Buffer.from('\uFEFF{"externalId":"a","name":"Zoë"}\r\n\n  \nnot json\n{"externalId":"b'),
      Buffer.from([0xff]),
      Buffer.from('"}\n'),
      Buffer.from(Array.from({ length: 40 }, (_, i) => `{"externalId":"p${i}","name":"ünïcødé ${i}"}`).join('\n')),
    ]);
    const file = path.join(dir, 'pieces.ndjson');
    writeFileSync(file, bytes);
    const whole = await readAll(file, 'ndjson');
    for (const size of [1, 7, 100, 1 << 20]) {
      const items: RawItem[] = [];
      let pieces = 0;
      let read = 0;
      for await (const { bytes: piece, firstLine } of ndjsonPieces(file, size, (n) => (read += n))) {
        pieces++;
        eachNdjsonItem(piece, firstLine, (item) => items.push(item));
      }
      expect(items, `pieces of ${size} bytes`).toEqual(whole);
      expect(read).toBe(bytes.length);
      if (size === 7) expect(pieces).toBeGreaterThan(40);
    }
    expect(whole).toHaveLength(43);
    expect(whole[2]).toEqual({ line: 5, error: INVALID_UTF8_LINE });
  });

  it('refuses a JSON file that is not one array', async () => {
    for (const text of ['{"externalId":"a"}', '[{"externalId":"a"},', '[{"externalId":"a"}] x', '[{"externalId": }]']) {
      await expect(readAll(fileWith(text, 'json'), 'json'), text).rejects.toBeInstanceOf(BulkInputError);
    }
  });

  it('finds repeated external ids and emails given by more than one external id, whatever the line looks like', async () => {
    const lines = [
      { externalId: 'a', email: 'Ann@Example.org' },
      { email: 'ann@example.org ', externalId: ' b ' },
      { externalId: 'c', email: 'c@example.org' },
      { externalId: 'c', email: 'c@example.org' },
      { externalId: 'd', name: 'has "email" in a string', email: 'd@example.org' },
      { externalId: 'e\\u0041', email: 'd@example.org' },
    ].map((r) => JSON.stringify(r));
    const scan = await scanFile(fileWith(lines.join('\n'), 'ndjson'), 'ndjson', () => undefined);
    expect(scan.items).toBe(6);
    expect([...scan.repeatedIds]).toEqual(['c']);
    expect([...scan.sharedEmails].sort()).toEqual(['ann@example.org', 'd@example.org']);
  });

  it('hands out a CSV record once its last row is read, numbered by its first row', async () => {
    const csv = 'externalId,email,topic\nc-1,a@x.org,Chess\nc-2,a@x.org,Golf\nc-1,,Go\n';
    const file = fileWith(csv, 'csv');
    const scan = await scanFile(file, 'csv', () => undefined);
    expect(scan.lastRowOf).toEqual(
      new Map([
        ['c-1', 4],
        ['c-2', 3],
      ]),
    );
    expect([...scan.sharedEmails]).toEqual(['a@x.org']);
    const order: number[] = [];
    for await (const item of readFile(file, 'csv', scan, () => undefined)) order.push(item.line);
    expect(order).toEqual([3, 2]);
  });

  it('reports a CSV quoted cell left open on the line it starts, as the online import does, and refuses non-UTF-8 bytes', async () => {
    const csv = 'externalId,topic\r\nc-1,"Chess\r\nand more"\r\n\r\nc-2,"Go\nc-3,Yoga\n';
    const read = await readAll(fileWith(csv, 'csv'), 'csv');
    expect(read).toEqual(parseImportFile(csv, 'csv'));
    expect(read).toEqual([
      { line: 2, value: { externalId: 'c-1', interests: [{ topic: 'Chess\r\nand more' }] } },
      { line: 5, error: expect.stringMatching(/quoted cell is not closed/) },
    ]);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from('externalId,topic\nc-1,'), Buffer.from([0xff]), Buffer.from('\n')]));
    await expect(readAll(bad, 'csv')).rejects.toThrow(/not valid UTF-8/);
  });
});
