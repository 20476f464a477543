import { describe, expect, it } from 'vitest';
import { DocCache } from './doc-cache.js';

describe('DocCache', () => {
  it('serves what was stored under every address of a user until that user is invalidated', () => {
    const c = new DocCache(100, 60_000);
    const s = c.stamp();
    c.set(s, 'crm:1', 'u1', '{"a":1}');
    c.set(s, 'u1', 'u1', '{"a":1}');
    c.set(s, 'crm:2', 'u2', '{"b":2}');
    expect(c.get('crm:1')?.doc).toBe('{"a":1}');
    c.invalidate(['u1']);
    expect(c.get('crm:1')).toBeUndefined();
    expect(c.get('u1')).toBeUndefined();
    expect(c.get('crm:2')?.doc).toBe('{"b":2}');
  });

  it('refuses a value read before the user was invalidated (it may be the old document)', () => {
    const c = new DocCache(100, 60_000);
    const before = c.stamp();
    c.invalidate(['u1']);
    c.set(before, 'crm:1', 'u1', 'old');
    expect(c.get('crm:1')).toBeUndefined();
    c.set(before, 'crm:2', 'u2', 'other user');
    expect(c.get('crm:2')?.doc).toBe('other user');
    const after = c.stamp();
    c.set(after, 'crm:1', 'u1', 'new');
    expect(c.get('crm:1')?.doc).toBe('new');
    c.clear();
    c.set(after, 'crm:1', 'u1', 'stale after clear');
    expect(c.get('crm:1')).toBeUndefined();
  });

  it('expires entries and stays within its size bound', () => {
    const c = new DocCache(3, 1000);
    const s = c.stamp();
    c.set(s, 'a', 'ua', 'A', Date.now() - 10_000);
    expect(c.get('a')).toBeUndefined();
    for (const k of ['b', 'c', 'd', 'e']) c.set(c.stamp(), k, `u${k}`, k);
    expect(c.size).toBeLessThanOrEqual(3);
    expect(c.get('e')?.doc).toBe('e');
  });
});
