import type { Db } from '../db/neo4j.js';

export interface TopicSummary {
  id: string;
  name: string;
  category: string | null;
}

export interface TopicDetail extends TopicSummary {
  segmentId: string | null;
  userCount: number;
  related: Array<{ id: string; name: string; weight: number }>;
}

export class TopicRepository {
  constructor(private readonly db: Db) {}

  search(q: string | null, skip: number, limit: number): Promise<TopicSummary[]> {
    return this.db.read<TopicSummary & Record<string, unknown>>('topics/search-topics', { q, skip, limit });
  }

  /** `runId` = the visible run (null before the first one: no segment, no related topics). */
  async get(id: string, runId: string | null): Promise<(TopicDetail & { sensitive: boolean }) | undefined> {
    const [row] = await this.db.read<TopicDetail & { sensitive: boolean } & Record<string, unknown>>('topics/get-topic', { id, runId });
    return row;
  }
}
