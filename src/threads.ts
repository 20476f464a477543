/**
 * The project runs TypeScript through tsx, with no build step. Under `tsx src/main.ts` (and tsx scripts) worker
 * threads inherit tsx's loader through `process.execArgv`; where it is absent (vitest runs the code through Vite, not
 * tsx) the worker registers it itself with `--import tsx`, so the same `.ts` worker file loads everywhere.
 */
export function tsxExecArgv(argv: readonly string[] = process.execArgv): string[] {
  return argv.some((a) => /[\\/]tsx[\\/]|^tsx$/.test(a)) ? [...argv] : [...argv, '--import', 'tsx'];
}
