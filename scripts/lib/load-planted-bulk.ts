import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/local-neo4j.js';
import { generateProfiles, type GenerateOptions } from '../../src/demo/planted.js';
import { bulkLoad, type BulkLoadResult } from '../../src/ingest/bulk-load.js';
import { bulkLogProgress } from './bulk-progress.js';

/**
 * Benchmarks' other loader: planted profiles written as the NDJSON the import reads (the generator's records are in
 * the import format), then loaded by the real initial bulk load (`npm run import -- --initial`: conversion threads,
 * neo4j-admin, first start with the schema) into `dataDir`, which must hold no store yet. Start the embedded Neo4j on
 * `dataDir` afterwards with the same password. Far faster than UNWIND writes from 100k people up (docs/benchmarks.md).
 */
export async function bulkLoadPlanted(dataDir: string, password: string, gen: GenerateOptions, secretKey: string): Promise<BulkLoadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'planted-bulk-'));
  const file = path.join(dir, 'profiles.ndjson');
  try {
    const out = createWriteStream(file);
    let lines: string[] = [];
    const write = async (text: string) => {
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    };
    for (const record of generateProfiles(gen)) {
      lines.push(JSON.stringify(record));
      if (lines.length === 10_000) {
        await write(lines.join('\n') + '\n');
        lines = [];
      }
    }
    await write(lines.join('\n') + '\n');
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return await bulkLoad({
      file,
      format: 'ndjson',
      dataDir,
      secretKey,
      neo4jUri: undefined,
      neo4jPort: await freePort(),
      neo4jPassword: password,
      workDir: dir,
      progress: bulkLogProgress('  '),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
