import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const CYPHER_DIR = fileURLToPath(new URL('../../cypher/', import.meta.url));

/** Production statements live in cypher/; tests and benchmarks add their own folders (test/cypher, scripts/cypher). */
const dirs = [CYPHER_DIR];
const cache = new Map<string, string>();

/** Makes `<dir>/<feature>/<verb-noun>.cypher` loadable by name; for tests and benchmarks, never production code. */
export function addCypherDir(dir: string): void {
  if (!dirs.includes(dir)) dirs.push(dir);
}

/** Loads `cypher/<feature>/<verb-noun>.cypher` once; the name is `feature/verb-noun`. */
export function cypher(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(name)) throw new Error(`Bad cypher statement name: ${name}`);
    const file = dirs.map((dir) => path.join(dir, `${name}.cypher`)).find((f) => existsSync(f));
    if (!file) throw new Error(`No cypher statement named ${name}`);
    text = readFileSync(file, 'utf8').trim();
    cache.set(name, text);
  }
  return text;
}

/** Every production statement of a feature folder, in file-name order (used for the schema). */
export function cypherFolder(feature: string): Array<{ name: string; text: string }> {
  return readdirSync(path.join(CYPHER_DIR, feature))
    .filter((f) => f.endsWith('.cypher'))
    .sort()
    .map((f) => {
      const name = `${feature}/${f.slice(0, -'.cypher'.length)}`;
      return { name, text: cypher(name) };
    });
}
