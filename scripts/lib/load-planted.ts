import './bench-cypher.js';
import cliProgress from 'cli-progress';
import type { Db } from '../../src/db/neo4j.js';
import { topicId, topicKey } from '../../src/graph/topic-key.js';
import { generateProfiles, plantedTopics, type GenerateOptions } from '../../src/demo/planted.js';

/**
 * Benchmarks' loader: planted profiles straight into an empty graph (bench-only UNWIND writes, each user with its
 * `crm:` identity; loading is not what is measured), with a progress bar. Returns every user's `crm:` address.
 */
export async function loadPlantedUsers(db: Db, gen: GenerateOptions): Promise<string[]> {
  await db.writeBatches(
    'affinity/bench-create-topics',
    plantedTopics(gen).map((t) => ({ id: topicId(t.name), key: topicKey(t.name), name: t.name, category: t.category })),
  );
  const bar = new cliProgress.SingleBar(
    { format: '  load     [{bar}] {value}/{total} users  {duration}s' },
    cliProgress.Presets.shades_classic,
  );
  bar.start(gen.users, 0);
  const refs: string[] = [];
  let batch: unknown[] = [];
  const flush = async () => {
    await db.write('affinity/bench-create-users', { rows: batch }, { deadline: 'batch' });
    bar.increment(batch.length);
    batch = [];
  };
  for (const r of generateProfiles(gen)) {
    refs.push(`crm:${r.externalId}`);
    batch.push({
      id: `bench-${refs.length}`,
      externalId: r.externalId,
      consent: r.consent.segmentation,
      interests: r.interests.map((i) => ({ topic: topicId(i.topic), weight: i.weight, at: i.at })),
    });
    if (batch.length >= 2000) await flush();
  }
  if (batch.length) await flush();
  bar.stop();
  return refs;
}
