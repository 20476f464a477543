import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { niced } from '../priority.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** Embedded Neo4j for machines without Docker: jars from Maven Central, run by scripts/neo4j/Neo4jLauncher.java. */
const LAUNCHER_DIR = fileURLToPath(new URL('../../scripts/neo4j/', import.meta.url));
export const LIB_DIR = path.join(LAUNCHER_DIR, 'lib');
/** Optional Graph Data Science jars (scripts/neo4j/gds-pom.xml), only those not already in LIB_DIR. */
export const GDS_LIB_DIR = path.join(LAUNCHER_DIR, 'gds-lib');

export interface LocalNeo4j {
  uri: string;
  port: number;
  /** Password of user `neo4j` (authentication is always on). */
  password: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The account the embedded server creates. */
export const LOCAL_NEO4J_USER = 'neo4j';

/** A password for a throwaway server; `npm start` keeps its own in .data/neo4j-password instead (persistentSecret). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

export function javaBin(): string {
  const home = process.env.NEO4J_JAVA_HOME ?? process.env.JAVA_HOME;
  return home ? path.join(home, 'bin', 'java') : 'java';
}

/** Downloads the Neo4j jars once (Maven prints its own progress); later calls are a directory listing. */
export function ensureNeo4jJars(log: (line: string) => void = console.error): void {
  if (existsSync(LIB_DIR) && readdirSync(LIB_DIR).some((f) => f.startsWith('neo4j-kernel-'))) return;
  log('Fetching Neo4j 5.26 from Maven Central into scripts/neo4j/lib (first run only)...');
  const res = spawnSync(
    'mvn',
    [
      '-B',
      '-ntp',
      '-f',
      path.join(LAUNCHER_DIR, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${LIB_DIR}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (res.status !== 0) throw new Error(`mvn could not fetch the Neo4j jars (exit ${res.status ?? res.signal})`);
}

/** True when the GDS jars are installed (the kernel extension jar is the one that makes the procedures load). */
export function gdsJarsInstalled(): boolean {
  return existsSync(GDS_LIB_DIR) && readdirSync(GDS_LIB_DIR).some((f) => f.startsWith('opengds-extension-'));
}

/**
 * Downloads Graph Data Science 2.13 (the line for Neo4j 5.26; ~130 jars, ~15 MB beyond Neo4j's own) once.
 * Maven resolves GDS together with Neo4j so shared libraries get Neo4j's versions; only the extra jars are kept,
 * moved into place in one rename so an interrupted download is never taken for an installed one.
 */
export function ensureGdsJars(log: (line: string) => void = console.error): void {
  if (gdsJarsInstalled()) return;
  ensureNeo4jJars(log);
  log('Fetching Neo4j Graph Data Science 2.13 from Maven Central into scripts/neo4j/gds-lib (first run only)...');
  const tmp = `${GDS_LIB_DIR}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const res = spawnSync(
    'mvn',
    [
      '-B',
      '-ntp',
      '-q',
      '-Dstyle.color=never',
      '-f',
      path.join(LAUNCHER_DIR, 'gds-pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${tmp}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (res.status !== 0) throw new Error(`mvn could not fetch the Graph Data Science jars (exit ${res.status ?? res.signal})`);
  const neo4jJars = new Set(readdirSync(LIB_DIR));
  for (const f of readdirSync(tmp)) if (neo4jJars.has(f)) rmSync(path.join(tmp, f));
  rmSync(GDS_LIB_DIR, { recursive: true, force: true });
  renameSync(tmp, GDS_LIB_DIR);
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  pagecache?: string;
  heap?: string;
  /**
   * Garbage collector of the server's JVM. Parallel (default) gives the most throughput on few cores; G1 keeps pauses
   * shorter. Measured in docs/benchmarks.md (bulk import).
   */
  gc?: 'g1' | 'parallel';
  /** Further JVM flags (a flight recording, GC logs): NEO4J_JAVA_OPTS for the service, the same variable for benches. */
  javaOptions?: string[];
  /** Where the server's own log lines go; default: discarded unless NEO4J_LOG=1. */
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** Also put the Graph Data Science jars on the classpath (installing them when missing); the launcher loads gds.*. */
  gds?: boolean;
  /**
   * Password of user `neo4j` (at least 8 characters); generated when absent (a throwaway server). It reaches the
   * launcher through its environment, never its command line, which every local user can read.
   */
  password?: string;
  /** CPU niceness of the server (src/priority.ts): above 0 it yields the cores to the processes it shares them with. */
  niceness?: number;
}

/** Flags from a space-separated variable such as NEO4J_JAVA_OPTS. */
export function javaOptionsFrom(value: string | undefined): string[] {
  return value?.split(/\s+/).filter(Boolean) ?? [];
}

/**
 * Starts the embedded server and resolves once Bolt answers. The child exits when this process closes its stdin,
 * which also happens when this process dies, so no orphan server keeps the port.
 */
/** A JVM start takes 10–30 s on an idle machine and minutes on a starved one; failing early helps nobody. */
const START_TIMEOUT_MS = 300_000;

export async function startLocalNeo4j(opts: StartOptions): Promise<LocalNeo4j> {
  ensureNeo4jJars();
  if (opts.gds) ensureGdsJars();
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port && opts.port > 0 ? opts.port : await freePort(host);
  mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    `-Xmx${opts.heap ?? '2g'}`,
    opts.gc === 'g1' ? '-XX:+UseG1GC' : '-XX:+UseParallelGC',
    ...(opts.javaOptions ?? []),
    '-cp',
    [path.join(LIB_DIR, '*'), ...(opts.gds ? [path.join(GDS_LIB_DIR, '*')] : [])].join(path.delimiter),
    path.join(LAUNCHER_DIR, 'Neo4jLauncher.java'),
    '--data',
    path.resolve(opts.dataDir),
    '--port',
    String(port),
    '--host',
    host,
    '--pagecache',
    opts.pagecache ?? '512m',
    '--exit-on-stdin-eof',
  ];
  const password = opts.password || generatePassword();
  const [command, ...argv] = niced([javaBin(), ...args], opts.niceness ?? 0);
  const child = spawn(command!, argv, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NEO4J_LAUNCHER_PASSWORD: password },
  });
  const log = opts.log ?? (process.env.NEO4J_LOG === '1' ? (l: string) => console.error(`[neo4j] ${l}`) : () => undefined);
  const tail: string[] = [];
  const remember = (l: string) => {
    tail.push(l);
    if (tail.length > 40) tail.shift();
    log(l);
  };
  createInterface({ input: child.stderr! }).on('line', remember);
  const stdout = createInterface({ input: child.stdout! });

  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Neo4j did not start within ${opts.startTimeoutMs ?? START_TIMEOUT_MS} ms:\n${tail.join('\n')}`));
    }, opts.startTimeoutMs ?? START_TIMEOUT_MS);
    stdout.on('line', (line) => {
      const m = /^NEO4J_READY (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      } else remember(line);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Neo4j exited before it was ready (${code ?? signal}):\n${tail.join('\n')}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });

  return {
    uri,
    port,
    password,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.stdin!.end();
      }),
  };
}
