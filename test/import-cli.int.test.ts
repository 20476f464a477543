import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

let t: TestApp;
let ingestKey: string;
let dir: string;
beforeAll(async () => {
  t = await startTestApp();
  ingestKey = await t.keyFor('ingest');
  dir = mkdtempSync(path.join(tmpdir(), 'import-cli-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI as a person runs it: its own process, talking to the service over HTTP. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/import.ts', ...args],
      { cwd: path.resolve(__dirname, '..'), env: { ...process.env, CI: 'true' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function interestNames(ref: string): Promise<string[]> {
  const userId = await t.services.users.resolve(ref);
  expect(userId, ref).toBeDefined();
  return (await t.services.users.listInterests(userId!)).map((i) => i.name).sort();
}

describe('npm run import (CLI)', () => {
  it('imports a CSV with a byte-order mark, reports rejected rows by file line and exits 2', async () => {
    const p = randomUUID().slice(0, 8);
    const file = path.join(dir, `${p}.csv`);
    writeFileSync(
      file,
      '\uFEFF' +
        [
          'externalId,email,name,topic,category,weight,at',
          `${p}-1,,Ana,${p} Chess,Games,2,`,
          `${p}-2,,,${p} Golf,,heavy,`,
          `${p}-1,,,"${p} Go, the game",Games,,`,
          `${p}-3,,,${p} Golf,,,not-a-time`,
        ].join('\n'),
    );
    const out = await runCli([file, '--url', t.baseUrl, '--key', ingestKey]);
    expect(out.stderr).not.toMatch(/import: /);
    expect(out.code).toBe(2);
    expect(out.stdout).toContain('imported 1, rejected 2');
    expect(out.stdout).toMatch(/line 3: weight: not a number/);
    expect(out.stdout).toMatch(new RegExp(`line 5 \\(${p}-3\\): .*at`));
    expect(await interestNames(`crm:${p}-1`)).toEqual([`${p} Chess`, `${p} Go, the game`]);
    expect(await t.services.users.resolve(`crm:${p}-2`)).toBeUndefined();
  });

  it('keeps the last record of an externalId even when the file is sent in many requests, and re-imports it unchanged', async () => {
    const p = randomUUID().slice(0, 8);
    const file = path.join(dir, `${p}.ndjson`);
    const records = [
      { externalId: `${p}-a`, interests: [{ topic: `${p} Old`, at: '2026-10-01T00:00:00Z' }] },
      { externalId: `${p}-b`, interests: [{ topic: `${p} B` }] },
      { externalId: `${p}-c`, interests: [{ topic: `${p} C` }] },
      { externalId: `${p}-a`, interests: [{ topic: `${p} New` }] },
    ];
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
    const first = await runCli([file, '--url', t.baseUrl, '--key', ingestKey, '--chunk', '1']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('imported 4, rejected 0');
    expect(await interestNames(`crm:${p}-a`)).toEqual([`${p} New`]);
    const userId = (await t.services.users.resolve(`crm:${p}-a`))!;
    const before = await t.services.users.listInterests(userId);
    const again = await runCli([file, '--url', t.baseUrl, '--key', ingestKey, '--chunk', '1']);
    expect(again.code).toBe(0);
    expect(await t.services.users.listInterests(userId)).toEqual(before);
  });

  it('stops with exit code 1 and a summary when the service refuses the key', async () => {
    const file = path.join(dir, 'refused.ndjson');
    writeFileSync(file, JSON.stringify({ externalId: 'x', interests: [] }));
    const out = await runCli([file, '--url', t.baseUrl, '--key', 'not-a-key-0000000000']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('imported 0, rejected 0, not sent 1');
    expect(out.stderr).toMatch(/import: the service answered 401/);
  });
});
