import { AppError } from '../errors.js';
import type { Hooks } from '../hooks.js';
import type { Erasure } from '../privacy/erasure.js';
import type { UserInterest, UserRecord, UserRepository } from './user-repository.js';

/**
 * People as other features see them. Every change to interests or consent awaits `interestsChanged`, so derived
 * data (affinities) is current when the call returns.
 */
export class UserService {
  constructor(
    private readonly repo: UserRepository,
    private readonly hooks: Hooks,
    private readonly erasure: Erasure,
  ) {}

  /** `<source>:<externalId>` (crm:c-1, facebook:123) or the service's own User.id → User.id. */
  async resolve(ref: string): Promise<string | undefined> {
    return (await this.repo.resolveMany([ref])).get(ref);
  }

  /** Several refs at once; unknown refs are absent from the map. */
  resolveMany(refs: string[]): Promise<Map<string, string>> {
    return this.repo.resolveMany([...new Set(refs)]);
  }

  /** Like resolve, but an unknown user is a 404. */
  async require(ref: string): Promise<string> {
    const id = await this.resolve(ref);
    if (!id) throw AppError.notFound(`User ${ref}`);
    return id;
  }

  get(userId: string): Promise<UserRecord | undefined> {
    return this.repo.get(userId);
  }

  listInterests(userId: string): Promise<UserInterest[]> {
    return this.repo.listInterests(userId);
  }

  /** Deletes the interest and remembers the removal so that imports, events and logins never re-add it. */
  async removeInterest(userId: string, topicId: string): Promise<void> {
    if (!(await this.repo.removeInterest(userId, topicId))) throw AppError.notFound(`Interest ${topicId}`);
    await this.hooks.emit('interestsChanged', { userIds: [userId] });
  }

  /**
   * Deletes the user, its identities, every relationship (interests, purchases, markers), every session signed in as
   * them, and what was derived from them alone (src/privacy/erasure.ts); suppresses what named them and records the
   * erasure in the audit log as done by `actor` (src/privacy/audit-log.ts actorOf). `usersErased` makes every process
   * forget the person and the topics, links and names that went with them (this one at once, the others by the feed).
   */
  async erase(userId: string, actor: string): Promise<void> {
    const summary = await this.erasure.erase(userId, actor);
    if (!summary) throw AppError.notFound(`User ${userId}`);
    const { topicIds, related, labels } = summary;
    await this.hooks.emit('usersErased', { userIds: [userId], derived: { topicIds, related, labels } });
  }
}
