import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';
import { UserRepository } from '../graph/user-repository.js';
import { UserService } from '../graph/user-service.js';
import { IngestRepository } from './ingest-repository.js';
import { IngestService } from './ingest-service.js';

export type { UserRecord, UserInterest } from '../graph/user-repository.js';
export type { UserService } from '../graph/user-service.js';
export type { FacebookLike, FacebookProfile, ImportResult, EventsResult } from './ingest-service.js';

/**
 * Ingestion and the people it creates. Other features use:
 * - `users` — resolve/get/listInterests/removeInterest/setConsent/erase (src/graph/user-service.ts);
 * - `ingestFacebook(profile, likes)` — a Facebook login's identity and likes → `{ userId }`;
 * - `service.importProfiles(items)` / `service.ingestEvents(events)` — what the HTTP routes and the CLI call.
 * Every change to interests or consent awaits `hooks.emit('interestsChanged', { userIds })` before returning.
 */
export function createIngest(deps: Deps, hooks: Hooks) {
  const userRepo = new UserRepository(deps.db);
  const users = new UserService(userRepo, hooks);
  const service = new IngestService(new IngestRepository(deps.db, userRepo), users, hooks, deps.secretKey, {
    batchEdges: deps.config.INGEST_BATCH_EDGES,
    batchRecords: deps.config.INGEST_BATCH_RECORDS,
  });
  return {
    users,
    service,
    ingestFacebook: service.ingestFacebook.bind(service),
  };
}

export type Ingest = ReturnType<typeof createIngest>;
