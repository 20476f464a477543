/**
 * Sensitive topics (health, religion, politics, sexuality…): an admin marks a topic, or a category and with it every
 * topic filed under it, now and later. A sensitive topic never enters projection (the run's reads skip it), the
 * in-memory interests affinities and audiences are computed from (so no affinity, audience or export counts it),
 * suggestions, topic search, or audience rules (naming one is refused with 400 `sensitive-topic`). The person still
 * sees it, flagged, among their own interests. Marking also removes what earlier runs derived from the topic (segment
 * memberships, co-interest links); unmarking lets it back in from the next run.
 */
import { AppError } from '../errors.js';
import type { Hooks } from '../hooks.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import { topicKey } from '../graph/topic-key.js';
import type { SensitiveMark, SensitiveRepository } from './sensitive-repository.js';
import type { SensitiveTopics } from './sensitive-topics.js';

export class SensitiveService {
  constructor(
    private readonly repo: SensitiveRepository,
    private readonly topics: SensitiveTopics,
    private readonly feed: ChangeFeed,
    private readonly hooks: Hooks,
  ) {}

  list(skip: number, limit: number): Promise<SensitiveMark[]> {
    return this.repo.list(skip, limit);
  }

  /** A topic by id or by name; 404 when there is none. */
  private async topicId(ref: string): Promise<string> {
    const id = await this.repo.findTopic(ref, topicKey(ref));
    if (!id) throw AppError.notFound('Topic');
    return id;
  }

  private categoryKey(name: string): string {
    const key = topicKey(name);
    if (!key)
      throw AppError.badRequest('A category name needs visible characters', [{ path: 'category', message: 'empty after normalization' }]);
    return key;
  }

  /** The spellings topics use for the category named `key`. */
  private async spellings(key: string): Promise<string[]> {
    return (await this.repo.categories()).filter((c) => topicKey(c) === key);
  }

  async markTopic(ref: string): Promise<SensitiveMark> {
    const id = await this.topicId(ref);
    const mark = await this.repo.markTopic(id);
    if (!mark) throw AppError.notFound('Topic');
    await this.changed([id], true);
    return { ...mark, key: topicKey(mark.name) };
  }

  async unmarkTopic(ref: string): Promise<void> {
    const id = await this.topicId(ref);
    if (!(await this.repo.unmarkTopic(id))) throw AppError.notFound('Sensitive mark on this topic');
    await this.changed([id], false);
  }

  async markCategory(name: string): Promise<SensitiveMark & { topics: number }> {
    const key = this.categoryKey(name);
    const { mark, topicIds } = await this.repo.markCategory(key, name.trim(), await this.spellings(key));
    await this.changed(topicIds, true);
    return { ...mark, topics: topicIds.length };
  }

  async unmarkCategory(name: string): Promise<void> {
    const key = this.categoryKey(name);
    const topicIds = await this.repo.unmarkCategory(key, await this.spellings(key));
    if (topicIds === undefined) throw AppError.notFound('Sensitive category');
    await this.changed(topicIds, false);
  }

  /**
   * After a mark changed: runs' derived data of newly sensitive topics goes, this process's set is read again and the
   * others are told (feed `sensitive`), and the people interested in the topics are reloaded everywhere.
   */
  private async changed(topicIds: string[], marked: boolean): Promise<void> {
    if (marked) await this.repo.dropDerived(topicIds);
    await this.topics.reload();
    await this.feed.append('sensitive', []);
    const people = await this.repo.peopleInterestedIn(topicIds);
    if (people.length > 0) await this.hooks.emit('interestsChanged', { userIds: people });
  }

  /**
   * 400 `sensitive-topic` when any of these topic names (an audience rule's interest or purchase topics, with the path
   * each came from) is a sensitive topic or a marked category.
   */
  async refuseSensitive(named: ReadonlyArray<{ path: string; topic: string }>): Promise<void> {
    if (named.length === 0) return;
    const found = await this.repo.sensitiveKeys([...new Set(named.map((n) => topicKey(n.topic)))]);
    const bad = named.filter((n) => found.has(topicKey(n.topic)));
    if (bad.length > 0) {
      throw new AppError(
        400,
        'sensitive-topic',
        'Sensitive topics cannot be used in audiences',
        bad.map((b) => ({ path: b.path, message: 'names a sensitive topic or category' })),
      );
    }
  }
}
