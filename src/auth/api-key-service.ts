import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyRepository } from './api-key-repository.js';
import type { Principal, Role } from './principal.js';

const CACHE_TTL_MS = 10_000;

export function hashKey(key: string): string {
  // Keys are 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
  return createHash('sha256').update(key).digest('hex');
}

export class ApiKeyService {
  // Content systems call the affinity endpoints at high rates; a short cache keeps key checks off the database.
  private readonly cache = new Map<string, { principal: Principal | null; expires: number }>();
  private readonly pending = new Map<string, Promise<Principal | null>>();
  /** Bumped by revocations: a lookup that started before one must not cache what it read. */
  private generation = 0;

  constructor(private readonly repo: ApiKeyRepository) {}

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
    this.generation++;
    this.pending.clear();
    for (const [hash, entry] of this.cache) {
      if (entry.principal?.kind === 'key' && entry.principal.keyId === id) this.cache.delete(hash);
    }
  }

  async bootstrapAdmin(key: string): Promise<void> {
    await this.repo.upsertBootstrap({ id: 'bootstrap-admin', name: 'ADMIN_API_KEY', hash: hashKey(key), prefix: key.slice(0, 10) });
    this.cache.clear();
  }

  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashKey(key);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.expires > now) return hit.principal;
    // When an entry expires under load, every request in flight would miss at once: they share one lookup.
    const shared = this.pending.get(hash);
    if (shared) return shared;
    const lookup: Promise<Principal | null> = this.lookup(hash).finally(() => {
      if (this.pending.get(hash) === lookup) this.pending.delete(hash);
    });
    this.pending.set(hash, lookup);
    return lookup;
  }

  private async lookup(hash: string): Promise<Principal | null> {
    const generation = this.generation;
    const found = await this.repo.findByHash(hash);
    const principal: Principal | null = found ? { kind: 'key', keyId: found.id, role: found.role, name: found.name } : null;
    if (generation !== this.generation) return principal;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, expires: Date.now() + CACHE_TTL_MS });
    return principal;
  }
}
