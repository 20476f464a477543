import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import { SensitiveRepository } from './sensitive-repository.js';
import { SensitiveService } from './sensitive-service.js';
import { SensitiveTopics } from './sensitive-topics.js';
import { ConsentRepository } from './consent-repository.js';
import { ConsentService } from './consent-service.js';

export type { SensitiveTopics } from './sensitive-topics.js';

/**
 * Privacy controls beyond erasure: sensitive topics (marked by admins, kept out of everything computed about people)
 * and consent by purpose. `sensitive` is the set each API process holds; `marks` changes and lists the marks;
 * `consent` is the person's consent per purpose and its history.
 */
export function createPrivacy(deps: Pick<Deps, 'db' | 'logger'>, hooks: Hooks, feed: ChangeFeed) {
  const repo = new SensitiveRepository(deps.db);
  const sensitive = new SensitiveTopics(repo, feed, deps.logger);
  const marks = new SensitiveService(repo, sensitive, feed, hooks);
  hooks.on('shutdown', () => sensitive.stop());
  const consent = new ConsentService(new ConsentRepository(deps.db), hooks);
  return { sensitive, marks, consent };
}

export type Privacy = ReturnType<typeof createPrivacy>;
