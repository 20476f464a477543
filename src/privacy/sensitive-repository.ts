import type { Db } from '../db/neo4j.js';

export interface SensitiveMark {
  kind: 'category' | 'topic';
  /** The topic's id (topics only). */
  id: string | null;
  name: string;
  key: string;
  /** The topic's category (topics only). */
  category: string | null;
  markedAt: string | null;
}

/** Sensitive marks in the graph: `Topic.sensitive` (marked itself or by its category) and `SensitiveCategory` nodes. */
export class SensitiveRepository {
  constructor(private readonly db: Db) {}

  async list(skip: number, limit: number): Promise<SensitiveMark[]> {
    return this.db.read<SensitiveMark & Record<string, unknown>>('privacy/list-sensitive-marks', { skip, limit });
  }

  /** Every topic id that is sensitive now; the whole set is held in memory by each API process. */
  async topicIds(): Promise<string[]> {
    return (await this.db.read<{ id: string }>('privacy/list-sensitive-topic-ids', {}, { deadline: 'batch' })).map((r) => r.id);
  }

  /** Of these topic keys, those naming a sensitive topic or a marked category. */
  async sensitiveKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    return new Set((await this.db.read<{ key: string }>('privacy/find-sensitive-keys', { keys })).map((r) => r.key));
  }

  async findTopic(ref: string, key: string): Promise<string | undefined> {
    const [row] = await this.db.read<{ id: string }>('privacy/find-topic', { ref, key });
    return row?.id;
  }

  /** The spellings of categories topics carry (few), for matching a category name by key. */
  async categories(): Promise<string[]> {
    return (await this.db.read<{ category: string }>('privacy/list-categories', {}, { deadline: 'batch' })).map((r) => r.category);
  }

  async markTopic(topicId: string): Promise<SensitiveMark | undefined> {
    const [row] = await this.db.write<{ id: string; name: string; category: string | null; markedAt: string }>(
      'privacy/mark-sensitive-topic',
      { topicId },
    );
    return row && { kind: 'topic', id: row.id, name: row.name, key: '', category: row.category, markedAt: row.markedAt };
  }

  /** False when the topic was not marked on its own. */
  async unmarkTopic(topicId: string): Promise<boolean> {
    return (await this.db.write('privacy/unmark-sensitive-topic', { topicId })).length > 0;
  }

  async markCategory(key: string, name: string, categories: string[]): Promise<{ mark: SensitiveMark; topicIds: string[] }> {
    const [row] = await this.db.write<{ key: string; name: string; markedAt: string; topicIds: string[] }>(
      'privacy/mark-sensitive-category',
      { key, name, categories },
      { deadline: 'batch' },
    );
    const r = row!;
    return { mark: { kind: 'category', id: null, name: r.name, key: r.key, category: null, markedAt: r.markedAt }, topicIds: r.topicIds };
  }

  /** The topics that were sensitive by this category alone are no longer; undefined when it was not marked. */
  async unmarkCategory(key: string, categories: string[]): Promise<string[] | undefined> {
    const [row] = await this.db.write<{ topicIds: string[] }>(
      'privacy/unmark-sensitive-category',
      { key, categories },
      { deadline: 'batch' },
    );
    return row?.topicIds;
  }

  /** Segment memberships and co-interest links of these topics, in every run kept. */
  async dropDerived(topicIds: string[]): Promise<void> {
    await this.db.writeBatches('privacy/drop-sensitive-derived', topicIds, { batchSize: 500 });
  }

  async peopleInterestedIn(topicIds: string[]): Promise<string[]> {
    if (topicIds.length === 0) return [];
    return (await this.db.read<{ userId: string }>('privacy/people-interested-in', { topicIds }, { deadline: 'batch' })).map(
      (r) => r.userId,
    );
  }
}
