import { describe, expect, it } from 'vitest';
import { emailHash, identityKey, normalizeEmail } from './user-identity.js';

describe('email hashing', () => {
  it('normalizes before hashing, so spelling variants of one address meet', () => {
    expect(normalizeEmail('  Ana@Example.ORG ')).toBe('ana@example.org');
    expect(emailHash('k'.repeat(16), ' Ana@Example.org')).toBe(emailHash('k'.repeat(16), 'ana@example.org'));
  });

  it('depends on the key and never contains the address', () => {
    const a = emailHash('a'.repeat(16), 'ana@example.org');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(emailHash('b'.repeat(16), 'ana@example.org'));
    expect(a).not.toBe(emailHash('a'.repeat(16), 'bob@example.org'));
  });

  it('builds identity keys as <source>:<externalId>', () => {
    expect(identityKey('crm', 'c-1')).toBe('crm:c-1');
    expect(identityKey('facebook', '123')).toBe('facebook:123');
  });
});
