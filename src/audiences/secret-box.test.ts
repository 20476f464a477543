import { describe, expect, it } from 'vitest';
import { newSigningSecret, SecretBox } from './secret-box.js';

describe('secret box', () => {
  it('opens what it sealed, and nothing sealed under another key or tampered with', () => {
    const box = new SecretBox('test-secret-key-0123456789');
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed)).toBe(secret);
    expect(box.seal(secret)).not.toBe(sealed);
    expect(() => new SecretBox('another-secret-key-012345').open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });
});
