/**
 * `npm run import -- FILE [--url http://127.0.0.1:3000] [--key KEY] [--format ndjson|json|csv] [--chunk 1000]`
 * `npm run import -- --initial FILE [--format ndjson|json|csv] [--csv-dir DIR] [--keep-csv]`
 *
 * --initial: bulk load into an empty graph in the embedded Neo4j's data directory (NEO4J_DATA_DIR) with
 * `neo4j-admin database import full`, the service stopped (src/ingest/bulk-load.ts, docs/ingestion.md). Same
 * validation and graph as the online import; millions of profiles in minutes instead of hours.
 *
 * Imports a profile file into the running service through its API (POST /v1/imports/profiles), so the service's
 * own email-hash key, validation and hooks apply exactly as for any other client.
 * - NDJSON (.ndjson/.jsonl) and JSON arrays (.json) hold profile records as in the API contract.
 * - CSV (.csv): header `externalId,email,name,topic,category,weight,at`, one interest per row; rows with the same
 *   externalId become one record (numbered by its first row). externalId and topic columns are required.
 * Key: --key, else INGEST_API_KEY, else ADMIN_API_KEY, else the admin key `npm start` keeps next to NEO4J_DATA_DIR.
 * Records of one externalId always travel in the same request, so the last one wins as within one body.
 * Prints imported/rejected with the file's line numbers (also when it has to stop early: what was sent stays imported);
 * exit code 0 when everything was imported, 2 when some lines were rejected, 1 when the import could not run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { chunkByExternalId, formatFromPath, parseImportFile, type ImportFormat, type RawItem, type Rejected } from '../src/ingest/parse.js';
import { INVALID_UTF8_LINE, invalidUtf8Lines } from '../src/api/text.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    format: { type: 'string' },
    chunk: { type: 'string', default: '1000' },
    initial: { type: 'boolean', default: false },
    'csv-dir': { type: 'string' },
    'keep-csv': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(1);
}

const file = positionals[0];
if (!file) {
  fail(
    'usage: npm run import -- FILE [--url URL] [--key KEY] [--format ndjson|json|csv] [--chunk N]\n' +
      '       npm run import -- --initial FILE [--format ndjson|json|csv] [--csv-dir DIR] [--keep-csv]',
  );
}
if (!existsSync(file)) fail(`no such file: ${file}`);
const format = (values.format ?? formatFromPath(file)) as ImportFormat | undefined;
if (!format || !['ndjson', 'json', 'csv'].includes(format)) fail('cannot tell the format: use --format ndjson|json|csv');
if (values.initial) {
  const { initialLoad } = await import('./import-initial.js');
  process.exit(await initialLoad(file, format as ImportFormat, { csvDir: values['csv-dir'], keepCsv: values['keep-csv'] }));
}
const chunk = Number(values.chunk);
if (!Number.isInteger(chunk) || chunk < 1) fail('--chunk must be a positive integer');

const url = (values.url ?? `http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? '3000'}`).replace(/\/$/, '');
const keyFile = path.join(path.dirname(path.resolve(process.env.NEO4J_DATA_DIR ?? '.data/neo4j')), 'admin-api-key');
const key =
  values.key ??
  process.env.INGEST_API_KEY ??
  process.env.ADMIN_API_KEY ??
  (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
if (!key) fail('no API key: pass --key or set INGEST_API_KEY');

// Bytes that are not UTF-8 would be read as U+FFFD and sent on, merging distinct ids: NDJSON lines holding them are
// rejected by number; a JSON or CSV file holding them (whose records span lines) is not sent at all.
const bytes = readFileSync(file);
const badLines = invalidUtf8Lines(bytes);
if (badLines.size && format !== 'ndjson') {
  fail(`${file} is not valid UTF-8 (line ${[...badLines].slice(0, 10).join(', ')}${badLines.size > 10 ? ', ...' : ''}): nothing sent`);
}
const items: RawItem[] = parseImportFile(bytes.toString('utf8'), format).map((it) =>
  badLines.has(it.line) ? { line: it.line, error: INVALID_UTF8_LINE } : it,
);
const rejected: Rejected[] = [];
const good: Array<{ line: number; value: unknown }> = [];
for (const it of items) {
  if ('error' in it) rejected.push({ line: it.line, errors: [it.error] });
  else good.push(it);
}

const bar = new cliProgress.SingleBar(
  { format: 'import [{bar}] {percentage}% | {value}/{total} records | rejected {rejected} | {duration_formatted}' },
  cliProgress.Presets.shades_classic,
);
bar.start(good.length, 0, { rejected: rejected.length });
let imported = 0;
let sent = 0;
let stopped: string | undefined;
for (const part of chunkByExternalId(good, chunk)) {
  let res: Response;
  let body: { imported?: number; rejected?: Rejected[]; suppressed?: Array<{ line: number; externalId: string }>; detail?: string };
  try {
    res = await fetch(`${url}/v1/imports/profiles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: part.map((p) => JSON.stringify(p.value)).join('\n'),
    });
    body = (await res.json().catch(() => ({}))) as typeof body;
  } catch (err) {
    stopped = `could not reach ${url}: ${(err as Error).message}`;
    break;
  }
  if (res.status !== 200) {
    stopped = `the service answered ${res.status}: ${body.detail ?? JSON.stringify(body)}${res.status === 413 ? ' (try a smaller --chunk)' : ''}`;
    break;
  }
  imported += body.imported ?? 0;
  // The service numbers the lines of this request; map them back to the file's lines.
  for (const r of body.rejected ?? []) rejected.push({ ...r, line: part[r.line - 1]?.line ?? r.line });
  // Records naming an erased person (suppression list): refused like a rejected line, with the reason.
  for (const r of body.suppressed ?? []) {
    const errors = ['suppressed: this person was erased; refused until they sign in again'];
    rejected.push({ line: part[r.line - 1]?.line ?? r.line, externalId: r.externalId, errors });
  }
  sent += part.length;
  bar.update(sent, { rejected: rejected.length });
}
bar.stop();

rejected.sort((a, b) => a.line - b.line);
console.log(`\n${file}: imported ${imported}, rejected ${rejected.length}${stopped ? `, not sent ${good.length - sent}` : ''}`);
for (const r of rejected) {
  console.log(`  line ${r.line}${r.externalId ? ` (${r.externalId})` : ''}: ${r.errors.join('; ')}`);
}
if (stopped) fail(stopped);
process.exit(rejected.length ? 2 : 0);
