import { fileURLToPath } from 'node:url';
import { addCypherDir } from '../../src/db/cypher.js';

/** Benchmarks' own statements (bulk test data) live in scripts/cypher, out of the production folders. */
export const BENCH_CYPHER_DIR = fileURLToPath(new URL('../cypher/', import.meta.url));
addCypherDir(BENCH_CYPHER_DIR);
