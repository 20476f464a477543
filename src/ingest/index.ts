import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { Users } from '../users/index.js';
import type { ErasureParts } from '../privacy/index.js';
import { IngestRepository } from './ingest-repository.js';
import { IngestService } from './ingest-service.js';
import { ImportPool } from './import-pool.js';

export type { FacebookLike, FacebookProfile, ImportResult, EventsResult } from './ingest-service.js';

/**
 * Ingestion: profiles, events and Facebook logins written as people (src/users) and their interests. Other features use:
 * - `ingestFacebook(profile, likes)` — a Facebook login's identity and likes → `{ userId }`;
 * - `pool.importProfiles(body)` / `pool.ingestEvents(body)` — what the HTTP routes call: the same work as
 *   `service.importProfiles(items)` / `service.ingestEvents(events)`, run in worker threads (src/ingest/import-pool.ts).
 * Every change to interests or consent awaits `hooks.emit('interestsChanged', { userIds })` before returning.
 */
export function createIngest(deps: Deps, hooks: Hooks, users: Users, privacy: Pick<ErasureParts, 'suppressions' | 'audit'>) {
  const ingestOptions = { batchEdges: deps.config.INGEST_BATCH_EDGES, batchRecords: deps.config.INGEST_BATCH_RECORDS };
  const repo = new IngestRepository(deps.db, users.repository);
  const service = new IngestService(repo, users.service, hooks, deps.secretKey, ingestOptions, privacy);
  // HTTP import and event bodies are parsed, validated and written in worker threads, off the request loop.
  const pool = new ImportPool({ db: deps.db.options, secretKey: deps.secretKey, ingest: ingestOptions }, hooks);
  hooks.on('shutdown', () => pool.close());
  return {
    service,
    pool,
    ingestFacebook: service.ingestFacebook.bind(service),
  };
}

export type Ingest = ReturnType<typeof createIngest>;
