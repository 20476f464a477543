import type { ZodError, ZodType, z } from 'zod';
import { AppError } from '../errors.js';
import { INVALID_UTF8_LINE, invalidUtf8Body } from '../api/text.js';
import { readCsv } from './csv-rows.js';

/** One input record before validation: its 1-based line (NDJSON) or index + 1 (JSON array), and its value. */
export type RawItem = { line: number; value: unknown } | { line: number; error: string };

export interface Rejected {
  line: number;
  externalId?: string;
  errors: string[];
}

/** NDJSON: blank lines are skipped; a line that is not JSON becomes a per-line error, the others still count. */
export function parseNdjson(text: string): RawItem[] {
  const out: RawItem[] = [];
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    if (raw.length > 0) {
      try {
        out.push({ line, value: JSON.parse(raw) });
      } catch (err) {
        out.push({ line, error: `not valid JSON: ${(err as Error).message}` });
      }
    }
    start = end + 1;
  }
  return out;
}

function malformed(detail: string, errors?: Array<{ path: string; message: string }>) {
  return new AppError(400, 'malformed-body', detail, errors);
}

/**
 * A profile import body as numbered raw records, so that validation can judge each record on its own: NDJSON lines
 * that are not JSON become per-line rejections, not a failed request. Throws 400 `malformed-body` when the body as a
 * whole is unusable (JSON that does not parse or is not an array, no NDJSON record, no NDJSON line that is JSON).
 */
export function parseImportBody(text: string, kind: 'json' | 'ndjson', notUtf8: ReadonlySet<number> = new Set()): RawItem[] {
  const body = stripBom(text);
  // A body that is not UTF-8 was decoded with replacement characters, which would merge distinct ids: an NDJSON line
  // holding such bytes is rejected by number (`notUtf8`), a JSON body as a whole.
  if (kind === 'json') {
    if (notUtf8.size) throw invalidUtf8Body();
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw malformed(`The request body is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw malformed('A JSON body must be an array of profile records (or send NDJSON)');
    return fromArray(parsed);
  }
  let items = parseNdjson(body);
  if (notUtf8.size) items = items.map((i) => (notUtf8.has(i.line) ? { line: i.line, error: INVALID_UTF8_LINE } : i));
  if (items.length === 0) throw malformed('The NDJSON body has no records');
  if (items.every((i) => 'error' in i)) {
    throw malformed(
      'The body is not NDJSON: no line is a JSON value',
      items.slice(0, 20).map((i) => ({ path: `line ${i.line}`, message: 'error' in i ? i.error : '' })),
    );
  }
  return items;
}

export function fromArray(values: unknown[]): RawItem[] {
  return values.map((value, i) => ({ line: i + 1, value }));
}

export function formatIssues(err: ZodError): string[] {
  return err.issues.map((i) => {
    const path = i.path.map(String).join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
}

/** Splits raw items into valid records and rejections; validation never drops a valid record. */
export function validateItems<S extends ZodType>(
  schema: S,
  items: RawItem[],
  idOf: (value: unknown) => string | undefined,
): { valid: Array<{ line: number; record: z.output<S> }>; rejected: Rejected[] } {
  const valid: Array<{ line: number; record: z.output<S> }> = [];
  const rejected: Rejected[] = [];
  for (const item of items) {
    if ('error' in item) {
      rejected.push({ line: item.line, errors: [item.error] });
      continue;
    }
    const res = schema.safeParse(item.value);
    if (res.success) valid.push({ line: item.line, record: res.data });
    else {
      const id = idOf(item.value);
      rejected.push({ line: item.line, ...(id !== undefined ? { externalId: id } : {}), errors: formatIssues(res.error) });
    }
  }
  return { valid, rejected };
}

export function stringField(value: unknown, field: string): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = (value as Record<string, unknown>)[field];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

// ---- CSV (CLI only) -----------------------------------------------------------------------------------------------

export const CSV_COLUMNS = ['externalId', 'email', 'name', 'topic', 'category', 'weight', 'at'] as const;

/**
 * Groups CSV rows into profile records: header `externalId,email,name,topic,category,weight,at`, one interest per row,
 * rows of one externalId form one record (its line is the first row's). A row with an empty topic only carries the
 * person (email, name). Problems that belong to one row reject that row's whole record. `header` returns the
 * header's problem, if any; `row` returns an item for a row without externalId; `take` hands over a finished record.
 */
export class CsvRecordBuilder {
  private header: string[] = [];
  private readonly byId = new Map<string, { line: number; record: Record<string, unknown>; errors: string[] }>();

  setHeader(cells: string[]): RawItem | undefined {
    this.header = cells.map((h) => h.trim());
    const missing = ['externalId', 'topic'].filter((c) => !this.header.includes(c));
    if (missing.length) return { line: 1, error: `CSV header lacks column(s): ${missing.join(', ')}` };
    const unknown = this.header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
    if (unknown.length) return { line: 1, error: `CSV header has unknown column(s): ${unknown.join(', ')}` };
    return undefined;
  }

  /** The row's externalId (trimmed), or undefined when it has none. */
  externalIdOf(cells: string[]): string | undefined {
    return this.col(cells, 'externalId');
  }

  emailOf(cells: string[]): string | undefined {
    return this.col(cells, 'email');
  }

  row(line: number, cells: string[]): RawItem | undefined {
    const externalId = this.col(cells, 'externalId');
    if (!externalId) return { line, error: 'externalId: required' };
    let entry = this.byId.get(externalId);
    if (!entry) {
      entry = { line, record: { externalId, interests: [] }, errors: [] };
      this.byId.set(externalId, entry);
    }
    const email = this.col(cells, 'email');
    const name = this.col(cells, 'name');
    if (email) entry.record.email = email;
    if (name) entry.record.name = name;
    const topic = this.col(cells, 'topic');
    if (topic) {
      const interest: Record<string, unknown> = { topic };
      const category = this.col(cells, 'category');
      const weight = this.col(cells, 'weight');
      const at = this.col(cells, 'at');
      if (category) interest.category = category;
      if (weight !== undefined) {
        const n = Number(weight);
        if (Number.isFinite(n)) interest.weight = n;
        else entry.errors.push(`weight: not a number (${weight}) on line ${line}`);
      }
      if (at) interest.at = at;
      (entry.record.interests as unknown[]).push(interest);
    }
    return undefined;
  }

  /** The record of `externalId` (all its rows seen), as an item; undefined when it has none. */
  take(externalId: string): RawItem | undefined {
    const e = this.byId.get(externalId);
    if (!e) return undefined;
    this.byId.delete(externalId);
    return e.errors.length ? { line: e.line, error: e.errors.join('; ') } : { line: e.line, value: e.record };
  }

  /** Every record still open. */
  takeAll(): RawItem[] {
    return [...this.byId.keys()].map((id) => this.take(id)!);
  }

  private col(cells: string[], name: string): string | undefined {
    const i = this.header.indexOf(name);
    const v = i >= 0 ? cells[i]?.trim() : undefined;
    return v === undefined || v === '' ? undefined : v;
  }
}

/** CSV for the import CLI (see CsvRecordBuilder): every record of a whole text, in line order. */
export function csvToItems(text: string): RawItem[] {
  const { rows, problems } = readCsv(text);
  if (rows.length === 0) return problems.length ? [{ line: 1, error: problems[0]!.error }] : [];
  const builder = new CsvRecordBuilder();
  const headerProblem = builder.setHeader(rows[0]!.cells);
  if (headerProblem) return [headerProblem];
  const out: RawItem[] = [...problems];
  for (const { line, cells } of rows.slice(1)) {
    const item = builder.row(line, cells);
    if (item) out.push(item);
  }
  out.push(...builder.takeAll());
  return out.sort((a, b) => a.line - b.line);
}

export type ImportFormat = 'ndjson' | 'json' | 'csv';

export function formatFromPath(file: string): ImportFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  return undefined;
}

/** A whole import file as numbered raw records; a JSON file that is not an array is one error on line 1. */
/** Spreadsheet and Windows tools start UTF-8 files with a byte-order mark; JSON.parse rejects it on line 1. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function parseImportFile(file: string, format: ImportFormat): RawItem[] {
  const text = stripBom(file);
  if (format === 'ndjson') return parseNdjson(text);
  if (format === 'csv') return csvToItems(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return [{ line: 1, error: `not valid JSON: ${(err as Error).message}` }];
  }
  return Array.isArray(parsed) ? fromArray(parsed) : [{ line: 1, error: 'a JSON import file must hold an array of profile records' }];
}

/**
 * Request bodies for a file sent in parts: every record of one externalId goes into the same part (in file order), so
 * the service sees them together and the last one wins, as it would for the whole file in one request. Parts close
 * once they reach `size` records; a group never splits, so a part can be larger.
 */
export function chunkByExternalId<T extends { line: number; value: unknown }>(items: T[], size: number): T[][] {
  const groups = new Map<string, T[]>();
  const order: T[][] = [];
  for (const item of items) {
    const id = stringField(item.value, 'externalId')?.trim();
    const group = id === undefined ? undefined : groups.get(id);
    if (group) group.push(item);
    else {
      const fresh = [item];
      if (id !== undefined) groups.set(id, fresh);
      order.push(fresh);
    }
  }
  const chunks: T[][] = [];
  let current: T[] = [];
  for (const group of order) {
    current.push(...group);
    if (current.length >= size) {
      chunks.push(current);
      current = [];
    }
  }
  if (current.length) chunks.push(current);
  return chunks;
}
