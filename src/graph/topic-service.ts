import { AppError } from '../errors.js';
import { topicKey } from './topic-key.js';
import type { VisibleRun } from '../segmentation/visible-run.js';
import type { TopicDetail, TopicRepository, TopicSummary } from './topic-repository.js';

export class TopicService {
  constructor(
    private readonly topics: TopicRepository,
    private readonly visible: VisibleRun,
  ) {}

  search(q: string | undefined, skip: number, limit: number): Promise<TopicSummary[]> {
    // Searched on Topic.key, so the query is normalized exactly as names are.
    const key = q === undefined ? null : topicKey(q);
    return this.topics.search(key ? key : null, skip, limit);
  }

  async get(id: string): Promise<TopicDetail> {
    const run = await this.visible.get();
    const found = await this.topics.get(id, run?.id ?? null);
    if (!found) throw AppError.notFound('Topic');
    const { sensitive, ...topic } = found;
    // Who follows a sensitive topic, and what it would be segmented with, is nobody's business but the person's.
    if (sensitive) throw new AppError(400, 'sensitive-topic', 'This topic is sensitive: it is kept out of segments and audiences');
    return topic;
  }
}
