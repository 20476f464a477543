import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { INVALID_UTF8_LINE } from '../api/text.js';
import { normalizeEmail } from '../users/user-identity.js';
import { csvRowsOf, type CsvProblem, type CsvRow } from './csv-rows.js';
import { CsvRecordBuilder, stringField, type ImportFormat, type RawItem } from './parse.js';

/**
 * Streaming readers of import files for the initial bulk load (bulk-load.ts): the same formats, line numbers and
 * per-record problems as the online import's parseImportFile, but a file of millions of profiles is read piece by
 * piece and never held in memory. The file is read twice: `scanFile` learns which external ids and emails occur more
 * than once (those records are held back and stitched at the end), `readFile` hands out the records.
 */

/** A whole file that cannot be read as its format (a JSON file that is not one array): nothing is loaded. */
export class BulkInputError extends Error {}

/** The text of a JSON or CSV file, in pieces; bytes that are not UTF-8 refuse the whole file (as the CLI does). */
async function* textPieces(file: string, onBytes: (n: number) => void): AsyncGenerator<string> {
  // TextDecoder drops a UTF-8 byte-order mark (ignoreBOM is off), as parseImportFile strips it.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (buf?: Buffer) => {
    try {
      return buf ? decoder.decode(buf, { stream: true }) : decoder.decode();
    } catch {
      throw new BulkInputError(`${file} is not valid UTF-8 (bytes that are no UTF-8 text would be read as U+FFFD): nothing loaded`);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    onBytes((chunk as Buffer).length);
    const text = decode(chunk as Buffer);
    if (text) yield text;
  }
  const rest = decode();
  if (rest) yield rest;
}

/**
 * The file's lines (split on `\n`, as parseNdjson splits), each turned into at most one value by `each`; a line that is
 * not valid UTF-8 reaches `each` as null (the import rejects it by number rather than decode it with U+FFFD).
 */
async function* mapLines<T>(file: string, onBytes: (n: number) => void, each: (raw: string | null) => T | undefined): AsyncGenerator<T> {
  const text = (b: Buffer) => (isUtf8(b) ? b.toString('utf8') : null);
  let carry = Buffer.alloc(0);
  let first = true;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    let buf = chunk as Buffer;
    onBytes(buf.length);
    if (first && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    first = false;
    const data = carry.length ? Buffer.concat([carry, buf]) : buf;
    let start = 0;
    for (let end = data.indexOf(0x0a, start); end !== -1; end = data.indexOf(0x0a, start)) {
      const v = each(text(data.subarray(start, end)));
      if (v !== undefined) yield v;
      start = end + 1;
    }
    carry = Buffer.from(data.subarray(start));
  }
  const last = each(text(carry));
  if (last !== undefined) yield last;
}

/**
 * One NDJSON line as parseNdjson reads it: trimmed, blank skipped (undefined), not JSON an error; `raw` null = the
 * line's bytes are not UTF-8.
 */
export function ndjsonItem(line: number, raw: string | null): RawItem | undefined {
  if (raw === null) return { line, error: INVALID_UTF8_LINE };
  const text = raw.trim();
  if (!text) return undefined;
  try {
    return { line, value: JSON.parse(text) };
  } catch (err) {
    return { line, error: `not valid JSON: ${(err as Error).message}` };
  }
}

/**
 * The items of whole NDJSON lines (`bytes` ends at a line end or at the file's end), the first being line
 * `firstLine`, handed to `each` one at a time (so a piece's parsed records are never all alive at once). A piece that
 * is all UTF-8 is decoded at once; otherwise line by line, so only bad lines are rejected.
 */
export function eachNdjsonItem(bytes: Uint8Array, firstLine: number, each: (item: RawItem) => void): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let line = firstLine;
  const push = (raw: string | null) => {
    const item = ndjsonItem(line++, raw);
    if (item) each(item);
  };
  if (isUtf8(buf)) {
    const text = buf.toString('utf8');
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      push(text.slice(start, end));
      start = end + 1;
    }
    if (start < text.length) push(text.slice(start));
    return;
  }
  let start = 0;
  for (let end = buf.indexOf(0x0a); end !== -1; end = buf.indexOf(0x0a, start)) {
    const piece = buf.subarray(start, end);
    push(isUtf8(piece) ? piece.toString('utf8') : null);
    start = end + 1;
  }
  if (start < buf.length) {
    const piece = buf.subarray(start);
    push(isUtf8(piece) ? piece.toString('utf8') : null);
  }
}

/**
 * The file in pieces of whole lines (about `size` bytes each, the UTF-8 byte-order mark dropped), each with the number
 * of its first line: what the conversion threads are handed.
 */
export async function* ndjsonPieces(
  file: string,
  size: number,
  onBytes: (n: number) => void,
): AsyncGenerator<{ bytes: Uint8Array; firstLine: number }> {
  let carry: Buffer[] = [];
  let carried = 0;
  let line = 1;
  let first = true;
  const countLines = (b: Buffer) => {
    let n = 0;
    for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) n++;
    return n;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    let buf = chunk as Buffer;
    onBytes(buf.length);
    if (first && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    first = false;
    carry.push(buf);
    carried += buf.length;
    if (carried < size) continue;
    const data = Buffer.concat(carry);
    let start = 0;
    // Pieces of at least `size` bytes, each ending at a line end.
    for (let end = data.indexOf(0x0a, start + size - 1); end !== -1; end = data.indexOf(0x0a, start + size - 1)) {
      const cut = data.subarray(start, end + 1);
      // A copy of its own, so the piece's memory can be moved to a worker thread.
      yield { bytes: new Uint8Array(cut), firstLine: line };
      line += countLines(cut);
      start = end + 1;
      if (data.length - start < size) break;
    }
    carry = [data.subarray(start)];
    carried = data.length - start;
  }
  if (carried > 0) yield { bytes: new Uint8Array(Buffer.concat(carry)), firstLine: line };
}

const EXTERNAL_ID = /"externalId"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const EMAIL = /"email"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/**
 * A string field of a record's line without parsing the whole line: only when the key occurs exactly once, not right
 * after a backslash (then it is a key, not text inside a string; a valid record's strict schema allows the key at the
 * top level only), and its value is a string. `null` = cannot tell this way.
 */
function quickField(line: string, key: string, pattern: RegExp): string | undefined | null {
  const quoted = `"${key}"`;
  const at = line.indexOf(quoted);
  if (at === -1) return undefined;
  if (line.indexOf(quoted, at + 1) !== -1 || line[at - 1] === '\\') return null;
  const m = pattern.exec(line.slice(at));
  if (!m || m.index !== 0) return null;
  return m[1]!.includes('\\') ? (JSON.parse(`"${m[1]}"`) as string) : m[1]!;
}

/**
 * NDJSON records' externalId (trimmed) and email for the first pass: read straight from the line where that is safe
 * (quickField), else from JSON.parse, as the second pass will read them.
 */
function ndjsonKeys(
  file: string,
  onBytes: (n: number) => void,
): AsyncGenerator<{ externalId?: string | undefined; email?: string | undefined }> {
  return mapLines(file, onBytes, (raw) => {
    if (raw === null) return {};
    const text = raw.trim();
    if (!text) return undefined;
    const id = quickField(text, 'externalId', EXTERNAL_ID);
    const email = quickField(text, 'email', EMAIL);
    if (id !== null && email !== null) return { externalId: id?.trim(), email };
    try {
      const value: unknown = JSON.parse(text);
      return { externalId: stringField(value, 'externalId')?.trim(), email: stringField(value, 'email') };
    } catch {
      return {};
    }
  });
}

/**
 * A JSON array, one element at a time (element i is "line" i + 1, as in the online import). Only element boundaries
 * are found here (strings, escapes and nesting depth); each element is then parsed with JSON.parse.
 */
async function* jsonArrayItems(file: string, onBytes: (n: number) => void): AsyncGenerator<RawItem> {
  let state: 'before' | 'inArray' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let index = 0;
  const finish = (): RawItem | undefined => {
    const text = element.trim();
    element = '';
    if (!text) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new BulkInputError(`not valid JSON (element ${index + 1}): ${(err as Error).message}`);
    }
    return { line: ++index, value };
  };
  for await (const piece of textPieces(file, onBytes)) {
    let from = 0;
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      if (state === 'before') {
        if (c === 0x5b) {
          state = 'inArray';
          from = i + 1;
        } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          throw new BulkInputError('a JSON import file must hold an array of profile records');
        }
        continue;
      }
      if (state === 'after') {
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) throw new BulkInputError('not valid JSON: text after the array');
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) {
          // the closing bracket of the array
          element += piece.slice(from, i);
          const it = finish();
          if (it) yield it;
          state = 'after';
          continue;
        }
        depth--;
      } else if (c === 0x2c && depth === 0) {
        element += piece.slice(from, i);
        const it = finish();
        if (!it) throw new BulkInputError(`not valid JSON: empty element ${index + 1}`);
        yield it;
        from = i + 1;
      }
    }
    if (state === 'inArray') element += piece.slice(from);
  }
  if (state === 'before') throw new BulkInputError('a JSON import file must hold an array of profile records');
  if (state === 'inArray') throw new BulkInputError('not valid JSON: the array is not closed');
}

/** CSV rows of a file; what csv-parse cannot read goes to `onProblem`. */
function csvRows(
  file: string,
  onBytes: (n: number) => void,
  onProblem: (problem: CsvProblem) => void = () => undefined,
): AsyncGenerator<CsvRow> {
  return csvRowsOf(textPieces(file, onBytes), onProblem);
}

export interface FileScan {
  /** Records (NDJSON lines, JSON elements, CSV externalId groups) and lines that are not records. */
  items: number;
  /** Trimmed external ids that occur in more than one record: the last valid one wins. */
  repeatedIds: Set<string>;
  /** Normalized emails that more than one external id gives: those records are one person. */
  sharedEmails: Set<string>;
  /** CSV: the line of each externalId's last row, where its record is complete. */
  lastRowOf?: Map<string, number>;
}

/** First pass: what must be held back in the second one (see FileScan). Bad records are only counted. */
export async function scanFile(file: string, format: ImportFormat, onBytes: (n: number) => void): Promise<FileScan> {
  const scan: FileScan = { items: 0, repeatedIds: new Set(), sharedEmails: new Set() };
  const seenIds = new Set<string>();
  const emailOwner = new Map<string, string>();
  const noteId = (externalId: string) => {
    if (seenIds.has(externalId)) scan.repeatedIds.add(externalId);
    else seenIds.add(externalId);
  };
  const noteEmail = (email: string, externalId: string) => {
    const key = normalizeEmail(email);
    const owner = emailOwner.get(key);
    if (owner === undefined) emailOwner.set(key, externalId);
    else if (owner !== externalId) scan.sharedEmails.add(key);
  };
  if (format === 'csv') {
    const builder = new CsvRecordBuilder();
    const lastRowOf = new Map<string, number>();
    let header = true;
    for await (const { line, cells } of csvRows(file, onBytes, () => scan.items++)) {
      if (header) {
        header = false;
        builder.setHeader(cells);
        continue;
      }
      const id = builder.externalIdOf(cells);
      if (id === undefined) {
        scan.items++;
        continue;
      }
      if (!lastRowOf.has(id)) scan.items++;
      lastRowOf.set(id, line);
      const email = builder.emailOf(cells);
      if (email) noteEmail(email, id);
    }
    scan.lastRowOf = lastRowOf;
    return scan;
  }
  if (format === 'ndjson') {
    for await (const { externalId, email } of ndjsonKeys(file, onBytes)) {
      scan.items++;
      if (externalId === undefined) continue;
      noteId(externalId);
      if (email !== undefined) noteEmail(email, externalId);
    }
    return scan;
  }
  for await (const item of jsonArrayItems(file, onBytes)) {
    scan.items++;
    if (!('value' in item)) continue;
    const externalId = stringField(item.value, 'externalId')?.trim();
    if (externalId === undefined) continue;
    noteId(externalId);
    const email = stringField(item.value, 'email');
    if (email !== undefined) noteEmail(email, externalId);
  }
  return scan;
}

/**
 * Second pass: every record (or problem) of the file with its line. CSV records come out once their last row has
 * been read (`scan.lastRowOf`), so not in line order; each still carries the line of its first row.
 */
export async function* readFile(file: string, format: ImportFormat, scan: FileScan, onBytes: (n: number) => void): AsyncGenerator<RawItem> {
  if (format === 'ndjson') {
    let line = 0;
    return yield* mapLines(file, onBytes, (raw) => ndjsonItem(++line, raw));
  }
  if (format === 'json') return yield* jsonArrayItems(file, onBytes);
  const builder = new CsvRecordBuilder();
  const problems: CsvProblem[] = [];
  let header = true;
  for await (const { line, cells } of csvRows(file, onBytes, (p) => problems.push(p))) {
    if (header) {
      header = false;
      const headerProblem = builder.setHeader(cells);
      if (headerProblem) return yield headerProblem;
      continue;
    }
    yield* problems.splice(0);
    const problem = builder.row(line, cells);
    if (problem) {
      yield problem;
      continue;
    }
    const id = builder.externalIdOf(cells)!;
    if (scan.lastRowOf?.get(id) === line) yield builder.take(id)!;
  }
  if (header && problems.length) return yield { line: 1, error: problems[0]!.error };
  yield* problems;
  yield* builder.takeAll();
}
