import { existsSync } from 'node:fs';

/**
 * CPU priority where the API shares cores with what it computes and stores (`npm start`: the API, the run worker and
 * the embedded Neo4j on one machine). The API's event loop keeps the default priority; the database, and the import
 * threads that feed it, run a little "nicer", and runs nicer still, so when everything wants the cores the scheduler
 * serves requests first, then the database they may wait on, and computes with what is left. On an idle machine
 * niceness changes nothing. Measured in docs/benchmarks.md (import latency).
 */
export const NICENESS = { database: 5, background: 10 } as const;

const NICE = ['/usr/bin/nice', '/bin/nice'].find((p) => process.platform !== 'win32' && existsSync(p));

/** `argv` to spawn so that the child, and every thread it starts, runs at `niceness` (unchanged where `nice` is missing). */
export function niced(argv: readonly string[], niceness: number): string[] {
  return NICE && niceness > 0 ? [NICE, '-n', String(niceness), ...argv] : [...argv];
}
