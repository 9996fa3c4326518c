import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEncryptor, DecryptionError, encryptionKeyId, storedKeyId } from './encryptor';

const key = randomBytes(32);
const encryptor = createEncryptor(key);
const secret = 'sk-or-v1-0123456789abcdef0123456789abcdef';
const context = 'provider-key:user-1:openrouter';

/** Flips one bit in the given base64url part of a stored value. */
function tamper(stored: string, part: 2 | 3 | 4): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('createEncryptor', () => {
  it('decrypts what it encrypted', () => {
    const stored = encryptor.encrypt(secret, context);
    expect(encryptor.decrypt(stored, context)).toBe(secret);
    expect(encryptor.decrypt(encryptor.encrypt('é ✓ 🔑', context), context)).toBe('é ✓ 🔑');
  });

  it('stores the version and the key id, and never the plaintext', () => {
    const stored = encryptor.encrypt(secret, context);
    expect(stored.startsWith(`v1:${encryptionKeyId(key)}:`)).toBe(true);
    expect(storedKeyId(stored)).toBe(encryptor.keyId);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(Buffer.from(secret).toString('base64url'));
    expect(stored).not.toContain(Buffer.from(secret).toString('base64'));
    expect(stored.split(':')).toHaveLength(5);
    expect(Buffer.from(stored.split(':')[2] ?? '', 'base64url')).toHaveLength(12);
  });

  it('gives a different ciphertext (and IV) every time', () => {
    const values = new Set(Array.from({ length: 50 }, () => encryptor.encrypt(secret, context)));
    expect(values.size).toBe(50);
    const ivs = new Set([...values].map((value) => value.split(':')[2]));
    expect(ivs.size).toBe(50);
  });

  it.each([
    ['IV', 2],
    ['auth tag', 3],
    ['ciphertext', 4],
  ] as const)('refuses a value whose %s was changed', (_name, part) => {
    const stored = encryptor.encrypt(secret, context);
    expect(() => encryptor.decrypt(tamper(stored, part), context)).toThrow(DecryptionError);
  });

  it('refuses a truncated tag or a value that is not in the format', () => {
    const parts = encryptor.encrypt(secret, context).split(':');
    parts[3] = (parts[3] ?? '').slice(0, 8);
    expect(() => encryptor.decrypt(parts.join(':'), context)).toThrow(DecryptionError);
    expect(() => encryptor.decrypt(secret, context)).toThrow(DecryptionError);
    expect(() => encryptor.decrypt('v2:a:b:c:d', context)).toThrow(DecryptionError);
  });

  it('refuses a value encrypted with another key', () => {
    const other = createEncryptor(randomBytes(32));
    const stored = other.encrypt(secret, context);
    expect(() => encryptor.decrypt(stored, context)).toThrow(/encrypted with key/);
    // Even when the key id is forged to look like ours, the tag does not match.
    const forged = stored.replace(`:${other.keyId}:`, `:${encryptor.keyId}:`);
    expect(() => encryptor.decrypt(forged, context)).toThrow(DecryptionError);
  });

  it('refuses a value moved to another row (another context)', () => {
    const stored = encryptor.encrypt(secret, context);
    expect(() => encryptor.decrypt(stored, 'provider-key:user-2:openrouter')).toThrow(
      DecryptionError,
    );
  });

  it('names a key by a short id that does not change and differs between keys', () => {
    expect(encryptionKeyId(Buffer.from(key))).toBe(encryptor.keyId);
    expect(encryptionKeyId(randomBytes(32))).not.toBe(encryptor.keyId);
    expect(encryptor.keyId).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });

  it('accepts only a 32-byte key', () => {
    expect(() => createEncryptor(randomBytes(16))).toThrow(/32 bytes/);
  });
});
