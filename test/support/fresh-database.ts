import { Db } from '../../src/db/neo4j.js';

/**
 * Deletes every node and relationship of the database, in batches; constraints and indexes stay. Only for the run's
 * throwaway Neo4j (test/global-setup.ts), never for a database NEO4J_URI names.
 */
export async function emptyDatabase(uri: string, password: string): Promise<void> {
  const db = new Db({ uri, user: process.env.NEO4J_USER ?? 'neo4j', password });
  try {
    for (;;) {
      const [batch] = await db.write<{ deleted: number }>('test/wipe-graph', {}, { deadline: 'batch' });
      if (!batch?.deleted) break;
    }
  } finally {
    await db.close();
  }
}
