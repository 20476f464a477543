import { describe, expect, it } from 'vitest';
import type { ApiKeyRepository } from './api-key-repository.js';
import { ApiKeyService, hashKey } from './api-key-service.js';

/** An in-memory stand-in for the repository that counts lookups and answers only when released. */
function slowRepo() {
  const keys = new Map([[hashKey('nsk_good'), { id: 'k1', name: 'cms', role: 'content' as const }]]);
  let lookups = 0;
  const waiting: Array<() => void> = [];
  const repo = {
    async findByHash(hash: string) {
      lookups++;
      // Read at once, answer later: like a database answer still on its way when something else changes.
      const found = keys.get(hash);
      await new Promise<void>((r) => waiting.push(r));
      return found;
    },
    async delete(id: string) {
      for (const [h, k] of keys) if (k.id === id) return keys.delete(h);
      return false;
    },
  } as unknown as ApiKeyRepository;
  return { repo, lookups: () => lookups, release: () => waiting.splice(0).forEach((r) => r()) };
}

describe('ApiKeyService.authenticate', () => {
  it('shares one database lookup between concurrent requests with the same key, then answers from the cache', async () => {
    const { repo, lookups, release } = slowRepo();
    const keys = new ApiKeyService(repo);
    const answers = Array.from({ length: 20 }, () => keys.authenticate('nsk_good'));
    const other = keys.authenticate('nsk_unknown');
    release();
    const principals = await Promise.all(answers);
    expect(lookups()).toBe(2);
    expect(new Set(principals.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(principals[0]).toMatchObject({ kind: 'key', keyId: 'k1', role: 'content' });
    expect(await other).toBeNull();
    expect(await keys.authenticate('nsk_good')).toMatchObject({ keyId: 'k1' });
    expect(lookups()).toBe(2);
  });

  it('forgets a revoked key at once', async () => {
    const { repo, lookups, release } = slowRepo();
    const keys = new ApiKeyService(repo);
    const first = keys.authenticate('nsk_good');
    release();
    expect(await first).not.toBeNull();
    await keys.revoke('k1');
    const again = keys.authenticate('nsk_good');
    release();
    expect(await again).toBeNull();
    expect(lookups()).toBe(2);
  });

  it('does not cache a key that was revoked while its lookup was in flight', async () => {
    const { repo, lookups, release } = slowRepo();
    const keys = new ApiKeyService(repo);
    const inFlight = keys.authenticate('nsk_good');
    await keys.revoke('k1');
    release();
    // The lookup read the key before the revocation, so this one request still passes; the next must not.
    expect(await inFlight).not.toBeNull();
    const after = keys.authenticate('nsk_good');
    release();
    expect(await after).toBeNull();
    expect(lookups()).toBe(2);
  });
});
