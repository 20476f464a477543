import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { Erasure } from '../privacy/erasure.js';
import { UserRepository } from './user-repository.js';
import { UserService } from './user-service.js';

export type { UserRecord, UserInterest } from './user-repository.js';
export type { UserService } from './user-service.js';

/**
 * People as every feature sees them: resolve/get/listInterests/removeInterest/erase. Ingestion creates
 * and updates them; the people routes (/v1/me) and the admin erase route act on them. Every change awaits
 * `hooks.emit('interestsChanged' | 'usersErased')` before returning.
 */
export function createUsers(deps: Deps, hooks: Hooks, erasure: Erasure) {
  const repository = new UserRepository(deps.db);
  return { repository, service: new UserService(repository, hooks, erasure) };
}

export type Users = ReturnType<typeof createUsers>;
