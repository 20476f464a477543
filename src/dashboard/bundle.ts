import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export interface Bundle {
  js: string;
}

const entry = fileURLToPath(new URL('./client/main.ts', import.meta.url));

let cached: Promise<Bundle> | undefined;

/**
 * Bundles the client (sigma, graphology and the views) in memory once per process, so `npm start` needs no build
 * step. A failed build is not cached: the next request tries again.
 */
export function clientBundle(minify: boolean): Promise<Bundle> {
  cached ??= build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    write: false,
    minify,
    sourcemap: minify ? false : 'inline',
    legalComments: 'none',
    logLevel: 'silent',
  }).then(
    (result) => {
      return { js: result.outputFiles[0]!.text };
    },
    (err: unknown) => {
      cached = undefined;
      throw err;
    },
  );
  return cached;
}
