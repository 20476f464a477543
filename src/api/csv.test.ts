import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { csvLine, streamCsv } from './csv.js';
import { parseCsvRows } from '../ingest/csv-rows.js';

const parseCsv = (text: string) => parseCsvRows(text).map((r) => r.cells);

/** One field as csvLine writes it (without the line end). */
const csvField = (value: string | number) => csvLine([value]).slice(0, -2);

describe('csvLine', () => {
  it('quotes commas, quotes, CR and LF, and leaves plain text alone', () => {
    expect(csvField('crm:c-1')).toBe('crm:c-1');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('')).toBe('');
  });

  it('neutralizes text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    // A formula character later in the text is harmless.
    expect(csvField('crm:a=b')).toBe('crm:a=b');
  });

  it('writes numbers as numbers', () => {
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(-1.5)).toBe('-1.5');
  });

  it('round-trips awkward values through an RFC 4180 reader', () => {
    const cells = ['crm:a,b', 'x"y', 'multi\r\nline', '=1+1', 'plain'];
    expect(parseCsv(csvLine(cells))).toEqual([['crm:a,b', 'x"y', 'multi\r\nline', "'=1+1", 'plain']]);
  });
});

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves `handler` on a loopback port. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('streamCsv', () => {
  it('streams a header and every page as RFC 4180 rows', async () => {
    const rows = [
      { user: 'crm:plain', n: 1 },
      { user: 'crm:with,comma', n: 0.5 },
      { user: 'crm:"quoted"', n: 2 },
      { user: '=cmd|calc', n: 3 },
    ];
    async function* pages() {
      yield rows.slice(0, 2);
      yield rows.slice(2);
    }
    const url = await serve((_req, res) => void streamCsv(res, 'x.csv', ['user', 'n'], pages(), (r) => [r.user, r.n]));
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="x.csv"');
    const text = await res.text();
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([
      ['user', 'n'],
      ['crm:plain', '1'],
      ['crm:with,comma', '0.5'],
      ['crm:"quoted"', '2'],
      ["'=cmd|calc", '3'],
    ]);
  });

  it('finishes and closes the source when the client disconnects mid-export', async () => {
    let pulled = 0;
    let closed = false;
    // Endless pages of ~60 KiB, each a short database-like wait: the client leaves while a page is being fetched,
    // so 'close' has fired before the next write fills the buffer.
    async function* endless() {
      try {
        for (;;) {
          await new Promise((r) => setTimeout(r, 5));
          pulled++;
          yield Array.from({ length: 1000 }, (_, i) => ({ user: `crm:${pulled}-${i}-${'x'.repeat(50)}` }));
        }
      } finally {
        closed = true;
      }
    }
    let finished!: Promise<void>;
    const url = await serve((_req, res) => {
      finished = streamCsv(res, 'big.csv', ['user'], endless(), (r) => [r.user]);
    });
    const abort = new AbortController();
    const res = await fetch(url, { signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();

    await expect(Promise.race([finished.then(() => 'finished'), new Promise((r) => setTimeout(() => r('hung'), 5000))])).resolves.toBe(
      'finished',
    );
    expect(closed).toBe(true);
    const after = pulled;
    await new Promise((r) => setTimeout(r, 100));
    expect(pulled).toBe(after);
  });
});
