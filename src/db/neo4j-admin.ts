import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ensureNeo4jJars, javaBin, LIB_DIR } from './local-neo4j.js';

/**
 * `neo4j-admin database import full` from the same Maven jars as the embedded server (neo4j-import-tool and
 * neo4j-command-line are on its classpath), so no Neo4j distribution is needed. The embedded launcher's `--data DIR`
 * is its Neo4j home: the default database `neo4j` lives in DIR/data/databases/neo4j, its transaction logs in
 * DIR/data/transactions/neo4j, exactly where the tool writes with NEO4J_HOME=DIR.
 */

export const DEFAULT_DATABASE = 'neo4j';

export function databaseDir(dataDir: string): string {
  return path.join(dataDir, 'data', 'databases', DEFAULT_DATABASE);
}

/** True when the embedded server (or the tool) has created the default database's store in `dataDir`. */
export function storeExists(dataDir: string): boolean {
  return existsSync(path.join(databaseDir(dataDir), 'neostore'));
}

/**
 * True when a running Neo4j holds the store's lock. Neo4j locks `store_lock` / `database_lock` with fcntl, which Linux
 * lists in /proc/locks by inode; elsewhere (no /proc/locks) this answers false and the tool itself refuses.
 */
export function storeLocked(dataDir: string): boolean {
  let locks: string;
  try {
    locks = readFileSync('/proc/locks', 'utf8');
  } catch {
    return false;
  }
  for (const file of [path.join(dataDir, 'data', 'databases', 'store_lock'), path.join(databaseDir(dataDir), 'database_lock')]) {
    if (!existsSync(file)) continue;
    const { ino } = statSync(file);
    if (new RegExp(`:${ino} `).test(locks)) return true;
  }
  return false;
}

export class DatabaseInUseError extends Error {}

export interface AdminImportOptions {
  dataDir: string;
  /** `--nodes=...` / `--relationships=...` and any further flags. */
  args: string[];
  /** Maximum heap of the tool's JVM (it keeps its large structures off-heap). */
  heap?: string;
  /** Every line the tool prints (its own progress bars and report). */
  log: (line: string) => void;
}

/**
 * Runs the import into the (empty or absent) default database of `dataDir`, replacing whatever store files are
 * there: callers check first that the graph is empty. Rejects with DatabaseInUseError when a server holds the store.
 */
export async function runAdminImport(o: AdminImportOptions): Promise<void> {
  ensureNeo4jJars();
  mkdirSync(o.dataDir, { recursive: true });
  // The tool reads NEO4J_CONF/neo4j.conf when present; an empty folder means defaults (those of the embedded server).
  const conf = mkdtempSync(path.join(tmpdir(), 'neo4j-admin-conf-'));
  const tail: string[] = [];
  try {
    const child = spawn(
      javaBin(),
      [
        `-Xmx${o.heap ?? '2g'}`,
        '-cp',
        path.join(LIB_DIR, '*'),
        'org.neo4j.cli.AdminTool',
        'database',
        'import',
        'full',
        // The database name goes first: the file lists of --nodes/--relationships take every argument after them.
        DEFAULT_DATABASE,
        '--overwrite-destination=true',
        `--report-file=${path.join(conf, 'import.report')}`,
        ...o.args,
      ],
      { env: { ...process.env, NEO4J_HOME: path.resolve(o.dataDir), NEO4J_CONF: conf }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const remember = (line: string) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      o.log(line);
    };
    createInterface({ input: child.stdout! }).on('line', remember);
    createInterface({ input: child.stderr! }).on('line', remember);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    if (code === 0) return;
    const output = tail.join('\n');
    if (/database is in use/i.test(output)) throw new DatabaseInUseError(output);
    let report = '';
    try {
      report = readFileSync(path.join(conf, 'import.report'), 'utf8').split('\n').slice(0, 20).join('\n');
    } catch {
      // no report: the tool stopped before reading any input
    }
    throw new Error(
      `neo4j-admin database import exited with ${code}:\n${output}${report ? `\nFirst problems it reported:\n${report}` : ''}`,
    );
  } finally {
    rmSync(conf, { recursive: true, force: true });
  }
}
