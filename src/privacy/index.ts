import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import { SensitiveRepository } from './sensitive-repository.js';
import { SensitiveService } from './sensitive-service.js';
import { SensitiveTopics } from './sensitive-topics.js';
import { ConsentRepository } from './consent-repository.js';
import { ConsentService } from './consent-service.js';
import { Suppressions } from './suppression.js';
import { AuditLog } from './audit-log.js';
import { Erasure } from './erasure.js';
import type { Db } from '../db/neo4j.js';

export type { SensitiveTopics } from './sensitive-topics.js';
export type { ErasedDerived } from './erasure.js';
export { actorOf } from './audit-log.js';

/**
 * What erasure leaves and needs, built before the features that use it (users erase through it, ingestion refuses
 * suppressed records and lifts a suppression at the person's own login): the suppression list of keyed hashes, the
 * audit log and the erasure itself. Also built in import worker threads (src/ingest/import-worker.ts).
 */
export function createErasure(db: Db, secretKey: string) {
  const suppressions = new Suppressions(db, secretKey);
  const audit = new AuditLog(db);
  return { suppressions, audit, erasure: new Erasure(db, suppressions, audit) };
}

export type ErasureParts = ReturnType<typeof createErasure>;

/**
 * Privacy controls: erasure's parts (createErasure), sensitive topics (marked by admins, kept out of everything computed about people)
 * and consent by purpose. `sensitive` is the set each API process holds; `marks` changes and lists the marks;
 * `consent` is the person's consent per purpose and its history.
 */
export function createPrivacy(deps: Pick<Deps, 'db' | 'logger'>, hooks: Hooks, feed: ChangeFeed, erasure: ErasureParts) {
  const repo = new SensitiveRepository(deps.db);
  const sensitive = new SensitiveTopics(repo, feed, deps.logger);
  const marks = new SensitiveService(repo, sensitive, feed, hooks);
  hooks.on('shutdown', () => sensitive.stop());
  const consent = new ConsentService(new ConsentRepository(deps.db), hooks);
  return { sensitive, marks, consent, ...erasure };
}

export type Privacy = ReturnType<typeof createPrivacy>;
