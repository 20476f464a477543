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
  return {
    repo,
    lookups: () => lookups,
    release: () => waiting.splice(0).forEach((r) => r()),
    /** Another process revokes the key (this one's cache does not hear of it). */
    revokeElsewhere: () => keys.clear(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The promise's value, or 'waiting' when it has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms = 200) => Promise.race([p, sleep(ms).then(() => 'waiting' as const)]);

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

describe('ApiKeyService past the cache TTL', () => {
  it('answers at once from the expired entry while the key is looked up again, then follows that lookup', async () => {
    const { repo, lookups, release, revokeElsewhere } = slowRepo();
    const keys = new ApiKeyService(repo, 30);
    const first = keys.authenticate('nsk_good');
    release();
    expect(await first).toMatchObject({ keyId: 'k1' });
    await sleep(60);
    revokeElsewhere();
    // Neither path waits for the database: both answer from the expired entry and one lookup starts.
    expect(keys.cachedPrincipal('nsk_good')).toMatchObject({ keyId: 'k1' });
    expect(await within(keys.authenticate('nsk_good'))).toMatchObject({ keyId: 'k1' });
    expect(lookups()).toBe(2);
    release();
    await sleep(10);
    // That lookup found the key revoked: from now on it is refused, without another lookup.
    expect(keys.cachedPrincipal('nsk_good')).toBeNull();
    expect(await within(keys.authenticate('nsk_good'))).toBeNull();
    expect(lookups()).toBe(2);
  });

  it('drops the expired entry when its lookup fails, so a database that stays away is not papered over', async () => {
    let fail = false;
    const repo = {
      async findByHash() {
        if (fail) throw new Error('database unavailable');
        return { id: 'k1', name: 'cms', role: 'content' as const };
      },
    } as unknown as ApiKeyRepository;
    const keys = new ApiKeyService(repo, 30);
    expect(await keys.authenticate('nsk_good')).toMatchObject({ keyId: 'k1' });
    await sleep(60);
    fail = true;
    expect(await keys.authenticate('nsk_good')).toMatchObject({ keyId: 'k1' });
    await sleep(10);
    expect(keys.cachedPrincipal('nsk_good')).toBeUndefined();
    await expect(keys.authenticate('nsk_good')).rejects.toThrow('database unavailable');
  });
});
