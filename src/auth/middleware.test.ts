import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { authorize, FailedAuthLimiter } from './middleware.js';

describe('FailedAuthLimiter', () => {
  it('lets an address fail up to the limit, then asks it to wait until the window ends', () => {
    let now = 1_000_000;
    const limiter = new FailedAuthLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('10.0.0.1')).toBe(0);
      limiter.fail('10.0.0.1');
    }
    expect(limiter.retryAfter('10.0.0.1')).toBe(60);
    now += 45_000;
    expect(limiter.retryAfter('10.0.0.1')).toBe(15);
    // Another address has its own budget.
    expect(limiter.retryAfter('10.0.0.2')).toBe(0);
    now += 15_000;
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
  });
});

describe('authorize', () => {
  it('refuses no principal with 401 and the wrong kind or role with 403', () => {
    expect(() => authorize(undefined, 'public')).not.toThrow();
    expect(() => authorize(undefined, ['admin'])).toThrow(expect.objectContaining({ status: 401 }));
    const marketer = { kind: 'key', keyId: 'k', role: 'marketer', name: 'm' } as const;
    expect(() => authorize(marketer, ['admin'])).toThrow(AppError);
    expect(() => authorize(marketer, 'person')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorize({ kind: 'person', userId: 'u' }, ['marketer'])).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorize(marketer, ['marketer', 'admin'])).not.toThrow();
  });
});
