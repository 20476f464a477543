/**
 * `npm run import -- --initial FILE`: the initial bulk load (src/ingest/bulk-load.ts) with progress bars and a summary.
 * Exit code 0 when every record was loaded, 2 when some were rejected (the valid ones are loaded), 1 when nothing was.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig } from '../src/config.js';
import { bulkLoad, BulkLoadRefused, type BulkProgress } from '../src/ingest/bulk-load.js';
import type { ImportFormat } from '../src/ingest/parse.js';
import { persistentSecret } from '../src/secrets.js';

/** Rejected lines printed in full; beyond that only their number (a million-line file can reject many). */
const SHOWN_REJECTIONS = 200;

function progress(): BulkProgress {
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  return {
    phase(label, total) {
      started = performance.now();
      bar = new cliProgress.SingleBar(
        {
          format: `${label.padEnd(8)} [{bar}] {percentage}% | {mb}/{totalMb} MB | {duration_formatted}`,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { mb: 0, totalMb: Math.round(total / 1e6) });
    },
    update(done) {
      bar?.update(done, { mb: Math.round(done / 1e6) });
    },
    done() {
      bar?.stop();
      console.error(`  ${((performance.now() - started) / 1000).toFixed(1)} s`);
    },
    log(line) {
      console.error(`[neo4j-admin] ${line}`);
    },
  };
}

export async function initialLoad(
  file: string,
  format: ImportFormat,
  opts: { csvDir?: string | undefined; keepCsv: boolean },
): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  // The same email-hash key the service will use (main.ts keeps a generated one beside the data directory).
  const stateDir = path.dirname(path.resolve(config.NEO4J_DATA_DIR));
  const secretKey = persistentSecret(config.SECRET_KEY, path.join(stateDir, 'secret-key'));
  // The embedded server's password, as main.ts keeps it: set on the new store when the load first starts it.
  const neo4jPassword = persistentSecret(config.NEO4J_PASSWORD || undefined, path.join(stateDir, 'neo4j-password'));
  try {
    const result = await bulkLoad({
      file,
      format,
      dataDir: config.NEO4J_DATA_DIR,
      secretKey,
      neo4jUri: config.NEO4J_URI,
      neo4jPort: config.NEO4J_PORT,
      neo4jPassword,
      workDir: opts.csvDir,
      keepCsv: opts.keepCsv,
      progress: progress(),
    });
    const c = result.counts;
    const s = result.seconds;
    console.log(
      `\n${file}: loaded ${result.records}, rejected ${result.rejected.length} into ${config.NEO4J_DATA_DIR}\n` +
        `  graph: ${c.users} users, ${c.identities} identities, ${c.topics} topics, ${c.interests} interest edges, ${c.purchases} purchases\n` +
        `  time: scan ${s.scan.toFixed(1)} s, convert ${s.convert.toFixed(1)} s, neo4j-admin import ${s.import.toFixed(1)} s, ` +
        `schema ${s.schema.toFixed(1)} s\n  Start the service with \`npm start\` (same NEO4J_DATA_DIR).`,
    );
    for (const r of result.rejected.slice(0, SHOWN_REJECTIONS)) {
      console.log(`  line ${r.line}${r.externalId ? ` (${r.externalId})` : ''}: ${r.errors.join('; ')}`);
    }
    if (result.rejected.length > SHOWN_REJECTIONS)
      console.log(`  ... and ${result.rejected.length - SHOWN_REJECTIONS} more rejected lines`);
    return result.rejected.length ? 2 : 0;
  } catch (err) {
    console.error(`import: ${err instanceof BulkLoadRefused ? err.message : ((err as Error).stack ?? String(err))}`);
    return 1;
  }
}
