import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { inject } from 'vitest';

export type MainChild = ChildProcessByStdio<null, Readable, Readable>;

/** `npm start` (src/main.ts as its own process) against the shared test Neo4j; `stateDir` holds its generated state. */
export function startMain(stateDir: string, env: Record<string, string>): MainChild {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      NEO4J_URI: inject('neo4jUri'),
      NEO4J_PASSWORD: inject('neo4jPassword'),
      // Generous deadlines on a machine shared by several suites (see test/support/app.ts).
      NEO4J_QUERY_TIMEOUT_MS: '30000',
      REQUEST_TIMEOUT_MS: '60000',
      NEO4J_DATA_DIR: `${stateDir}/neo4j`,
      PORT: '0',
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for the start-up banner; its lines, and stdout/stderr lines as they keep coming. */
export async function banner(
  child: MainChild,
  timeoutMs = 90_000,
): Promise<{ printed: string; base: string; key: string; lines: string[]; stderr: string[] }> {
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
  const printed = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner:\n${stderr.join('\n')}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before the banner:\n${stderr.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      if (l.includes('Admin API key:')) {
        clearTimeout(timer);
        resolve(lines.join('\n'));
      }
    });
  });
  const base = /Dashboard: (http:\/\/\S+?)\/\s*$/m.exec(printed)?.[1] ?? '';
  const key = /Admin API key: (\S+)/.exec(printed)?.[1] ?? '';
  return { printed, base, key, lines, stderr };
}
