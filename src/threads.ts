import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The project runs TypeScript through tsx, with no build step. Under `tsx src/main.ts` (and tsx scripts) worker
 * threads inherit tsx's loader through `process.execArgv`; where it is absent (vitest runs the code through Vite, not
 * tsx) the worker registers it itself with `--import tsx`, so the same `.ts` worker file loads everywhere. That holds
 * for files a worker imports later (piscina's tasks); a worker's own first module needs `tsWorker`.
 */
export function tsxExecArgv(argv: readonly string[] = process.execArgv): string[] {
  return argv.some((a) => /[\\/]tsx[\\/]|^tsx$/.test(a)) ? [...argv] : [...argv, '--import', 'tsx'];
}

let tsxApi: string | undefined;

/** tsx's ESM API, by the path its package exports it under (its CommonJS build registers the hooks wrongly here). */
function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return (tsxApi = pathToFileURL(path.join(path.dirname(manifest), pkg.exports['./esm/api']!.import.default)).href);
}

/**
 * A worker thread running the TypeScript module `file`: tsx's loader is registered through its API, then the module is
 * imported. `--import tsx` in a worker's execArgv does not reach an evaluated or entry module on Node 20 (tried).
 */
export function tsWorker(file: URL, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  const code = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(code, { ...options, eval: true, execArgv: [] });
}
