import type { Db } from './neo4j.js';
import { cypherFolder } from './cypher.js';

/** Constraints and indexes are written with IF NOT EXISTS (and retired ones dropped IF EXISTS), so applying them at every start is safe. */
export async function applySchema(db: Db): Promise<void> {
  for (const { name } of cypherFolder('schema')) {
    await db.write(name, {}, { deadline: 'batch' });
  }
  // db.awaitIndexes(300) waits up to 300 s for index population by itself.
  await db.write('ops/await-indexes', {}, { deadline: 310_000 });
}
