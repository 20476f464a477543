import { describe, expect, it } from 'vitest';
import { chunkByExternalId, csvToItems, formatFromPath, parseImportFile, parseNdjson, validateItems, stringField } from './parse.js';
import { csvRowsOf, parseCsvRows, type CsvRow } from './csv-rows.js';
import { ProfileRecord } from './schemas.js';

describe('parseNdjson', () => {
  it('numbers lines from 1, skips blank lines and turns broken lines into per-line errors', () => {
    const items = parseNdjson('{"a":1}\n\n  \n{"a":\n{"a":3}\r\n');
    expect(items).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, error: expect.stringMatching(/^not valid JSON/) },
      { line: 5, value: { a: 3 } },
    ]);
  });
});

describe('validateItems', () => {
  it('keeps valid records and names the fields of rejected ones', () => {
    const { valid, rejected } = validateItems(
      ProfileRecord,
      [
        { line: 1, value: { externalId: 'a', interests: [{ topic: 'Yoga' }] } },
        { line: 2, value: { externalId: 'b', nickname: 'bee' } },
        { line: 3, value: { externalId: 'c', interests: [{ topic: '   ' }] } },
        { line: 4, error: 'not valid JSON' },
      ],
      (v) => stringField(v, 'externalId'),
    );
    expect(valid.map((v) => [v.line, v.record.externalId, v.record.interests[0]?.weight])).toEqual([[1, 'a', 1]]);
    expect(rejected.map((r) => [r.line, r.externalId])).toEqual([
      [2, 'b'],
      [3, 'c'],
      [4, undefined],
    ]);
    expect(rejected[0]!.errors.join()).toContain('nickname');
    expect(rejected[1]!.errors.join()).toMatch(/interests\.0\.topic/);
  });

  it('takes a topic name only when something visible is left after normalization', () => {
    const topicOk = (topic: string) => ProfileRecord.safeParse({ externalId: 'x', interests: [{ topic }] }).success;
    expect(['Chess', ' a ', 'Ｔ', 'Straße', '\u2764\ufe0f'].map(topicOk)).toEqual([true, true, true, true, true]);
    expect(['', '   ', '\t\n', '\u200b', '\u00ad\u200d ', '\u3000'].map(topicOk)).toEqual([false, false, false, false, false, false]);
  });
});

describe('CSV', () => {
  it('parses quoted cells with commas, doubled quotes and newlines', () => {
    expect(parseCsvRows('a,b\n"x, y","say ""hi"""\n"multi\nline",z\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 3, cells: ['multi\nline', 'z'] },
    ]);
  });

  it('gives the same rows when the text arrives in pieces, wherever it is cut', async () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",z\r""""\n\nlast,"q"""';
    const whole = parseCsvRows(text);
    expect(whole.map((r) => r.cells)).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['multi\nline', 'z'], ['"'], ['last', 'q"']]);
    for (let cut = 0; cut <= text.length; cut++) {
      for (const step of [1, 2, 3]) {
        const pieces = [text.slice(0, cut)];
        for (let i = cut; i < text.length; i += step) pieces.push(text.slice(i, i + step));
        const rows: CsvRow[] = [];
        for await (const row of csvRowsOf(
          (async function* () {
            yield* pieces;
          })(),
          () => undefined,
        ))
          rows.push(row);
        expect(rows, `cut at ${cut}, then ${step} at a time`).toEqual(whole);
      }
    }
  });

  it('numbers rows by the line they start on, and reports a quoted cell left open on its line', () => {
    expect(parseCsvRows('a\r\n\r\nb\r\n\r\n\r\n"c\r\nd"\r\ne').map((r) => r.line)).toEqual([1, 3, 6, 8]);
    expect(csvToItems('externalId,topic\nc-1,Chess\n\nc-2,"Go\nc-3,Yoga\n')).toEqual([
      { line: 2, value: { externalId: 'c-1', interests: [{ topic: 'Chess' }] } },
      { line: 4, error: expect.stringMatching(/quoted cell is not closed/) },
    ]);
  });

  it('groups interest rows by externalId into one record, numbered by its first row', () => {
    const csv = [
      'externalId,email,name,topic,category,weight,at',
      'c-1,ana@example.org,Ana,Trail running,Sport,2,2026-10-01T10:00:00Z',
      'c-2,,,Chess,,,',
      'c-1,,,"Yoga, hot",Sport,,',
      ',,,Orphan,,,',
      'c-3,,,Golf,,heavy,',
    ].join('\n');
    expect(csvToItems(csv)).toEqual([
      {
        line: 2,
        value: {
          externalId: 'c-1',
          email: 'ana@example.org',
          name: 'Ana',
          interests: [
            { topic: 'Trail running', category: 'Sport', weight: 2, at: '2026-10-01T10:00:00Z' },
            { topic: 'Yoga, hot', category: 'Sport' },
          ],
        },
      },
      { line: 3, value: { externalId: 'c-2', interests: [{ topic: 'Chess' }] } },
      { line: 5, error: 'externalId: required' },
      { line: 6, error: expect.stringContaining('weight: not a number') },
    ]);
  });

  it('rejects a header without the required or with unknown columns', () => {
    expect(csvToItems('id,topic\nx,y')).toEqual([{ line: 1, error: expect.stringContaining('externalId') }]);
    expect(csvToItems('externalId,topic,colour\nx,y,z')).toEqual([{ line: 1, error: expect.stringContaining('colour') }]);
  });
});

describe('parseImportFile', () => {
  it('detects the format from the file name and reads JSON arrays by index + 1', () => {
    expect(formatFromPath('x.ndjson')).toBe('ndjson');
    expect(formatFromPath('x.JSONL')).toBe('ndjson');
    expect(formatFromPath('x.json')).toBe('json');
    expect(formatFromPath('x.csv')).toBe('csv');
    expect(formatFromPath('x.txt')).toBeUndefined();
    expect(parseImportFile('[{"externalId":"a"},{"externalId":"b"}]', 'json')).toEqual([
      { line: 1, value: { externalId: 'a' } },
      { line: 2, value: { externalId: 'b' } },
    ]);
    expect(parseImportFile('{"externalId":"a"}', 'json')).toEqual([{ line: 1, error: expect.stringContaining('array') }]);
    expect(parseImportFile('[', 'json')).toEqual([{ line: 1, error: expect.stringMatching(/not valid JSON/) }]);
  });

  it('reads files that start with a byte-order mark, whatever the format', () => {
    expect(parseImportFile('\uFEFF[{"externalId":"a"}]', 'json')).toEqual([{ line: 1, value: { externalId: 'a' } }]);
    expect(parseImportFile('\uFEFF{"externalId":"a"}\n', 'ndjson')).toEqual([{ line: 1, value: { externalId: 'a' } }]);
    expect(parseImportFile('\uFEFFexternalId,topic\nc-1,Chess', 'csv')).toEqual([
      { line: 2, value: { externalId: 'c-1', interests: [{ topic: 'Chess' }] } },
    ]);
  });
});

describe('chunkByExternalId', () => {
  it('keeps every record of one externalId in one chunk, in file order, and chunks near the size', () => {
    const items = ['a', 'b', 'a', 'c', 'd', 'a', 'e'].map((id, i) => ({ line: i + 1, value: { externalId: id } }));
    const chunks = chunkByExternalId(items, 2);
    expect(chunks.map((c) => c.map((i) => i.line))).toEqual([
      [1, 3, 6],
      [2, 4],
      [5, 7],
    ]);
    // records without a usable externalId still go out (the service rejects them by line)
    expect(
      chunkByExternalId(
        [
          { line: 1, value: 7 },
          { line: 2, value: { externalId: 3 } },
        ],
        1,
      ),
    ).toEqual([[{ line: 1, value: 7 }], [{ line: 2, value: { externalId: 3 } }]]);
  });
});
