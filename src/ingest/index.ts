import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import { UserRepository } from '../graph/user-repository.js';
import { UserService } from '../graph/user-service.js';
import { IngestRepository } from './ingest-repository.js';
import { IngestService } from './ingest-service.js';
import { ImportPool } from './import-pool.js';

export type { UserRecord, UserInterest } from '../graph/user-repository.js';
export type { UserService } from '../graph/user-service.js';
export type { FacebookLike, FacebookProfile, ImportResult, EventsResult } from './ingest-service.js';

/**
 * Ingestion and the people it creates. Other features use:
 * - `users` — resolve/get/listInterests/removeInterest/setConsent/erase (src/graph/user-service.ts);
 * - `ingestFacebook(profile, likes)` — a Facebook login's identity and likes → `{ userId }`;
 * - `pool.importProfiles(body)` / `pool.ingestEvents(body)` — what the HTTP routes call: the same work as
 *   `service.importProfiles(items)` / `service.ingestEvents(events)`, run in worker threads (src/ingest/import-pool.ts).
 * Every change to interests or consent awaits `hooks.emit('interestsChanged', { userIds })` before returning.
 */
export function createIngest(deps: Deps, hooks: Hooks) {
  const userRepo = new UserRepository(deps.db);
  const users = new UserService(userRepo, hooks);
  const ingestOptions = { batchEdges: deps.config.INGEST_BATCH_EDGES, batchRecords: deps.config.INGEST_BATCH_RECORDS };
  const service = new IngestService(new IngestRepository(deps.db, userRepo), users, hooks, deps.secretKey, ingestOptions);
  // HTTP import and event bodies are parsed, validated and written in worker threads, off the request loop.
  const pool = new ImportPool({ db: deps.db.options, secretKey: deps.secretKey, ingest: ingestOptions }, hooks);
  hooks.on('shutdown', () => pool.close());
  return {
    users,
    service,
    pool,
    ingestFacebook: service.ingestFacebook.bind(service),
  };
}

export type Ingest = ReturnType<typeof createIngest>;
