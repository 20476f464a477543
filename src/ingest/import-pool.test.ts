import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { NICENESS } from '../priority.js';
import { isUnavailableError } from '../db/neo4j.js';
import { AppError } from '../errors.js';
import { Hooks } from '../hooks.js';
import { ImportPool } from './import-pool.js';
import { RawBody } from './schemas.js';

// Nothing listens on port 1: a worker that reaches the database gets the driver's "unavailable" error.
const pool = new ImportPool(
  {
    db: { uri: 'bolt://127.0.0.1:1', user: 'neo4j', password: '' },
    secretKey: 'unit-test-secret-key',
    ingest: { batchEdges: 100, batchRecords: 10 },
  },
  new Hooks(),
  { maxThreads: 1 },
);
afterAll(() => pool.close());

const body = (text: string, kind: 'json' | 'ndjson' = 'ndjson') => new RawBody(Buffer.from(text), kind, 'utf-8');

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('ImportPool (worker threads)', () => {
  it('brings a problem found in the worker back as the same AppError', async () => {
    const err = await failure(pool.importProfiles(body('not json\nnor this')));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 400, code: 'malformed-body', errors: [{ path: 'line 1' }, { path: 'line 2' }] });

    const notArray = await failure(pool.importProfiles(body('{"externalId": "x"}', 'json')));
    expect(notArray).toMatchObject({ status: 400, code: 'malformed-body' });

    const events = await failure(pool.ingestEvents(body('{"events": []}', 'json')));
    expect(events).toMatchObject({ status: 400, code: 'invalid-input', errors: [{ path: 'body.events' }] });
    expect(await failure(pool.ingestEvents(body('"text"', 'json')))).toMatchObject({ status: 400, code: 'malformed-body' });
  });

  it('decodes the body in the charset the request named', async () => {
    // "é" in latin1 is one byte (0xE9); decoded as utf-8 it would be a replacement character, still not JSON here.
    const latin1 = new RawBody(Buffer.from('caf\u00e9', 'latin1'), 'ndjson', 'latin1');
    const err = await failure(pool.importProfiles(latin1));
    expect(err).toMatchObject({ status: 400, errors: [{ path: 'line 1', message: expect.stringMatching(/café|JSON/) }] });
  });

  // Linux keeps a niceness per thread: /proc/self/task/<tid>/stat, field 19 (counted after the name in parentheses).
  it.runIf(process.platform === 'linux')('parses at a lower CPU priority than the request loop', async () => {
    await failure(pool.importProfiles(body('not json'))); // a worker thread exists now (it stays for idleTimeout)
    const niceness = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    expect(niceness).toContain(Math.min(19, getPriority() + NICENESS.database)); // 19 is the lowest priority there is
  });

  it('keeps what the HTTP layer needs to answer 503 when the worker cannot reach the database', async () => {
    const err = await failure(pool.importProfiles(body('{"externalId": "c-1"}')));
    expect(err).not.toBeInstanceOf(AppError);
    expect(isUnavailableError(err)).toBe(true);
  }, 60_000);
});
