import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const CYPHER_DIR = fileURLToPath(new URL('../../cypher/', import.meta.url));

const cache = new Map<string, string>();

/** Loads `cypher/<feature>/<verb-noun>.cypher` once; the name is `feature/verb-noun`. */
export function cypher(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(name)) throw new Error(`Bad cypher statement name: ${name}`);
    text = readFileSync(path.join(CYPHER_DIR, `${name}.cypher`), 'utf8').trim();
    cache.set(name, text);
  }
  return text;
}

/** Every statement of a feature folder, in file-name order (used for the schema). */
export function cypherFolder(feature: string): Array<{ name: string; text: string }> {
  return readdirSync(path.join(CYPHER_DIR, feature))
    .filter((f) => f.endsWith('.cypher'))
    .sort()
    .map((f) => {
      const name = `${feature}/${f.slice(0, -'.cypher'.length)}`;
      return { name, text: cypher(name) };
    });
}
