import { hash, randomBytes, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyRepository } from './api-key-repository.js';
import type { Principal, Role } from './principal.js';

const CACHE_TTL_MS = 10_000;

export function hashKey(key: string): string {
  // Keys are 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force. One-shot `hash`: every
  // request with a key pays this, and it costs a fraction of a Hash object's.
  return hash('sha256', key, 'hex');
}

export class ApiKeyService {
  /**
   * Content systems call the affinity endpoints at high rates; a short cache keeps key checks off the database. Unknown
   * keys are kept too (`principal: null`). Concurrent checks of one key share one lookup (lru-cache's fetch). Dropping
   * an entry whose lookup is still on its way (a revocation clears the cache) lets that lookup answer the requests
   * already waiting for it (`ignoreFetchAbort`) but keeps nothing, and later requests look the key up again.
   *
   * An entry past its TTL still answers while its lookup runs again in the background (stale-while-revalidate): when a
   * key's entry expired, every request with it used to wait for that one lookup, and right after a segmentation run,
   * with Neo4j busy, that held a content system's reads for up to 1.3 s (docs/benchmarks.md). A key revoked in another
   * process stops working once the lookup after its TTL has answered (a revocation here clears the cache at once); a
   * lookup that fails drops the entry, so a database that stays away is not papered over.
   */
  private readonly cache: LRUCache<string, { principal: Principal | null }>;

  constructor(
    private readonly repo: ApiKeyRepository,
    ttlMs = CACHE_TTL_MS,
  ) {
    this.cache = new LRUCache<string, { principal: Principal | null }>({
      max: 10_000,
      ttl: ttlMs,
      allowStale: true,
      noDeleteOnStaleGet: true,
      ignoreFetchAbort: true,
      fetchMethod: async (hash) => {
        const found = await this.repo.findByHash(hash);
        return { principal: found ? { kind: 'key', keyId: found.id, role: found.role, name: found.name } : null };
      },
    });
  }

  async create(name: string, role: Role): Promise<ApiKeyRecord & { key: string }> {
    const key = `nsk_${randomBytes(32).toString('base64url')}`;
    const record = await this.repo.create({ id: randomUUID(), name, role, hash: hashKey(key), prefix: key.slice(0, 10) });
    return { ...record, key };
  }

  list(skip: number, limit: number) {
    return this.repo.list(skip, limit);
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.repo.delete(id))) throw AppError.notFound('API key');
    // Lookups in flight may have read the key before it went: only a clear reaches them (revocations are rare).
    this.cache.clear();
  }

  async bootstrapAdmin(key: string): Promise<void> {
    await this.repo.upsertBootstrap({ id: 'bootstrap-admin', name: 'ADMIN_API_KEY', hash: hashKey(key), prefix: key.slice(0, 10) });
    this.cache.clear();
  }

  /**
   * authenticate's answer when the cache holds it (null: a key known to be unknown), undefined when only a lookup can
   * tell: the caller then goes through authenticate.
   */
  cachedPrincipal(key: string): Principal | null | undefined {
    const hash = hashKey(key);
    const entry = this.cache.get(hash);
    // Past its TTL: answered as it is, and looked up again in the background (concurrent calls share that lookup).
    if (entry && !this.cache.has(hash)) this.cache.fetch(hash).catch(() => undefined);
    return entry?.principal;
  }

  async authenticate(key: string): Promise<Principal | null> {
    const entry = await this.cache.fetch(hashKey(key));
    return entry!.principal;
  }
}
