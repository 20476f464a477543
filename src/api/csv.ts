import type { ServerResponse } from 'node:http';
import { stringify } from 'csv-stringify/sync';

/**
 * RFC 4180 lines (CRLF), fields with a comma, quote, CR or LF quoted. Text a spreadsheet would evaluate
 * (`=HYPERLINK(...)`, `+1`, `@SUM`, or one hidden behind a tab or CR) gets a leading `'`, the usual guard against CSV
 * injection; numbers are written as numbers.
 */
const OPTIONS = { escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

export function csvLine(cells: ReadonlyArray<string | number>): string {
  return stringify([cells as Array<string | number>], OPTIONS);
}

function csvLines(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return stringify(rows as Array<Array<string | number>>, OPTIONS);
}

/** The client went away (or the response is over): nothing written from now on reaches anyone. */
function gone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded || (res.socket?.destroyed ?? false);
}

/**
 * Resolves when the socket wants more, or at once when it never will. 'close' may already have fired before the
 * write that filled the buffer, so the state is checked first: waiting for an event that has passed would hang forever.
 */
function drained(res: ServerResponse): Promise<void> {
  if (gone(res) || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      res.off('error', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    res.on('error', done);
  });
}

/**
 * Writes CSV page by page as the source yields them, waiting for the socket to drain between pages, and stops
 * (closing the source) as soon as the client has gone. The first page is pulled before the status line, so an error
 * there (unknown segment: 404) is still a problem+json answer.
 */
export async function streamCsv<T>(
  res: ServerResponse,
  filename: string,
  header: readonly string[],
  pages: AsyncIterable<T[]>,
  toCells: (row: T) => ReadonlyArray<string | number>,
): Promise<void> {
  const iterator = pages[Symbol.asyncIterator]();
  let next = await iterator.next();
  // A write on a socket that has just closed reports its error as an event; without a listener it would be thrown.
  const ignore = () => undefined;
  res.on('error', ignore);
  try {
    res.statusCode = 200;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`);
    res.write(csvLine(header));
    while (!next.done) {
      if (gone(res)) break;
      if (!res.write(csvLines(next.value.map(toCells)))) await drained(res);
      if (gone(res)) break;
      next = await iterator.next();
    }
    if (!next.done) await iterator.return?.(undefined);
    else if (!gone(res)) res.end();
  } finally {
    res.off('error', ignore);
  }
}
