import { AppError } from '../errors.js';
import { topicKey } from './topic-key.js';
import type { SegmentationRepository } from '../segmentation/repository.js';
import type { TopicDetail, TopicRepository, TopicSummary } from './topic-repository.js';

export class TopicService {
  constructor(
    private readonly topics: TopicRepository,
    private readonly runs: SegmentationRepository,
  ) {}

  search(q: string | undefined, skip: number, limit: number): Promise<TopicSummary[]> {
    // Searched on Topic.key, so the query is normalized exactly as names are.
    const key = q === undefined ? null : topicKey(q);
    return this.topics.search(key ? key : null, skip, limit);
  }

  async get(id: string): Promise<TopicDetail> {
    const run = await this.runs.latestSucceededRun();
    const topic = await this.topics.get(id, run?.id ?? null);
    if (!topic) throw AppError.notFound('Topic');
    return topic;
  }
}
