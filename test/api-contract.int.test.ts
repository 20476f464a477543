import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * docs/api.md is the contract the repository carries (the binding v1 contract, then the extensions). It and the
 * generated /openapi.json must name the same operations, in both directions.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** `METHOD /path` as the document writes them, path parameters as OpenAPI writes them (`:id` → `{id}`). */
function operationsIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)/g)) out.add(`${m[1]} ${m[2]!.replace(/:(\w+)/g, '{$1}')}`);
  return out;
}

describe('docs/api.md', () => {
  it('names exactly the operations of /openapi.json', async () => {
    const doc = (await (await t.call('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const served = new Set<string>();
    for (const [route, item] of Object.entries(doc.paths))
      for (const method of Object.keys(item)) served.add(`${method.toUpperCase()} ${route}`);
    const text = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    const documented = operationsIn(text);
    expect(
      [...documented].filter((op) => !served.has(op)),
      'documented but not served',
    ).toEqual([]);
    expect(
      [...served].filter((op) => !documented.has(op)),
      'served but not documented',
    ).toEqual([]);
    // The contract part keeps its own operations (extensions are listed after it, never in place of it).
    const contract = text.slice(0, text.indexOf('## Extensions'));
    for (const op of ['GET /v1/users/{user}/affinities', 'POST /v1/imports/profiles', 'GET /v1/segments/{id}/audience', 'DELETE /v1/me']) {
      expect(operationsIn(contract)).toContain(op);
    }
  });
});
