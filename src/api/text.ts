import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { AppError } from '../errors.js';

/** C0 controls (NUL, TAB, LF, CR…), DEL and C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNCLEAN_TEXT = 'must not contain control characters (NUL, CR, LF, tab, other C0/C1) or unpaired UTF-16 surrogates';

/**
 * True for text that can be an id or a name. A lone surrogate would be stored as U+FFFD (Neo4j keeps UTF-8), so
 * `crm:sur\ud800` and `crm:sur\udc00` would become one person; control characters break logs, CSV and headers.
 */
export function isCleanText(s: string): boolean {
  return !CONTROL.test(s) && !LONE_SURROGATE.test(s);
}

/**
 * A string for ids and names. The check runs before any `.trim()` chained after it, so a trailing CR or LF is refused,
 * not silently trimmed away.
 */
export function cleanString() {
  return z.string().refine(isCleanText, UNCLEAN_TEXT);
}

/** How an import reports a line that is not UTF-8 (API and CLI alike). */
export const INVALID_UTF8_LINE = 'not valid UTF-8: the line holds bytes that are no UTF-8 text';

/** 1-based numbers of the `\n`-separated lines of `buf` that are not valid UTF-8 (0x0A never occurs inside a sequence). */
export function invalidUtf8Lines(buf: Buffer): Set<number> {
  const bad = new Set<number>();
  let start = 0;
  for (let line = 1; start <= buf.length; line++) {
    let end = buf.indexOf(0x0a, start);
    if (end === -1) end = buf.length;
    if (!isUtf8(buf.subarray(start, end))) bad.add(line);
    start = end + 1;
  }
  return bad;
}

/** The body could not be decoded: its bytes are not UTF-8, and replacing them would merge distinct ids. */
export function invalidUtf8Body(): AppError {
  return new AppError(400, 'malformed-body', 'The request body is not valid UTF-8', [
    { path: 'body', message: 'holds bytes that are not UTF-8 text (nothing was decoded with replacement characters)' },
  ]);
}

/**
 * body-parser `verify` for JSON bodies: the parser would decode invalid UTF-8 as U+FFFD without a word; this refuses
 * such a body instead (400). Other charsets are decoded by the parser and judged by the schemas.
 */
export function rejectInvalidUtf8(_req: IncomingMessage, _res: unknown, buf: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(buf)) throw invalidUtf8Body();
}
