import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientRateLimit, countNow, draft7Policy, draft7Value } from './client-rate-limit.js';

describe('countNow', () => {
  afterEach(() => vi.useRealTimers());

  it('counts as the store counts, in the same record, once the key is in the current window', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const rl = clientRateLimit(5);
    expect(countNow(rl, 'key:a')).toBeUndefined(); // new to the window: only the store's increment can say
    expect((await rl.store.get('key:a'))?.totalHits).toBeUndefined(); // and nothing was counted
    const first = await rl.store.increment('key:a');
    expect(countNow(rl, 'key:a')).toMatchObject({ totalHits: 2, resetTime: first.resetTime });
    expect(await rl.store.increment('key:a')).toMatchObject({ totalHits: 3, resetTime: first.resetTime });
    expect(countNow(rl, 'key:a')?.totalHits).toBe(4);
    expect(countNow(rl, 'key:b')).toBeUndefined();
    rl.store.shutdown();
  });

  it('leaves a key whose window ended to the store, which starts a new window', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const rl = clientRateLimit(5, 1000);
    await rl.store.increment('key:a');
    vi.setSystemTime(1_000_000 + 1000);
    expect(countNow(rl, 'key:a')).toBeUndefined();
    expect((await rl.store.increment('key:a')).totalHits).toBe(1);
    rl.store.shutdown();
  });

  it("gives express-rate-limit's draft-7 header values", () => {
    const rl = clientRateLimit(6000);
    expect(draft7Policy(rl)).toBe('6000;w=60');
    expect(draft7Value(rl, 10, new Date(61_500), 20_000)).toBe('limit=6000, remaining=5990, reset=42');
    expect(draft7Value(rl, 7000, undefined)).toBe('limit=6000, remaining=0, reset=60');
    rl.store.shutdown();
  });
});
