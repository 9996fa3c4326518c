import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Values encrypted at rest (provider keys): AES-256-GCM, a random 96-bit IV per value, the
 * 128-bit auth tag checked on every read. The stored text names the key that encrypted it,
 * so a wrong key is recognised before any decryption and keys can be rotated:
 *
 *   v1:<keyId>:<iv>:<tag>:<ciphertext>   (each part base64url)
 *
 * The version and key id are authenticated too (additional data), with a `context` the
 * caller chooses (which row the value belongs to), so a value copied to another row, or
 * given another key id, no longer decrypts.
 */
const version = 'v1';
const algorithm = 'aes-256-gcm';
export const encryptionKeyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** A short, stable name for a key (not the key): a truncated SHA-256 with its own label. */
export function encryptionKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('sluice encryption key id\0')
    .update(key)
    .digest()
    .subarray(0, 6)
    .toString('base64url');
}

/** The key id a stored value names, or undefined when the text is not one of ours. */
export function storedKeyId(stored: string): string | undefined {
  const parts = stored.split(':');
  return parts.length === 5 && parts[0] === version ? parts[1] : undefined;
}

export interface Encryptor {
  /** The id stored with every value this encryptor writes. */
  readonly keyId: string;
  encrypt(plaintext: string, context: string): string;
  /** Throws DecryptionError for a value under another key, or changed in any way. */
  decrypt(stored: string, context: string): string;
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${version}:${keyId}:${context}`, 'utf8');
}

export function createEncryptor(key: Buffer): Encryptor {
  if (key.length !== encryptionKeyBytes) {
    throw new Error(`An encryption key is ${encryptionKeyBytes} bytes, not ${key.length}`);
  }
  // Our own copy: the caller's buffer may be reused or zeroed.
  const secret = Buffer.from(key);
  const keyId = encryptionKeyId(secret);

  return {
    keyId,
    encrypt(plaintext, context) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv(algorithm, secret, iv, { authTagLength: tagBytes });
      cipher.setAAD(additionalData(keyId, context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        version,
        keyId,
        iv.toString('base64url'),
        tag.toString('base64url'),
        ciphertext.toString('base64url'),
      ].join(':');
    },
    decrypt(stored, context) {
      const parts = stored.split(':');
      if (parts.length !== 5 || parts[0] !== version) {
        throw new DecryptionError('This value is not in the v1 encrypted format');
      }
      const [, valueKeyId = '', ivText = '', tagText = '', ciphertextText = ''] = parts;
      if (valueKeyId !== keyId) {
        throw new DecryptionError(
          `This value was encrypted with key ${valueKeyId}, not with ENCRYPTION_KEY (key ${keyId})`,
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== ivBytes || tag.length !== tagBytes) {
        throw new DecryptionError('This encrypted value is damaged (IV or tag)');
      }
      try {
        const decipher = createDecipheriv(algorithm, secret, iv, { authTagLength: tagBytes });
        decipher.setAAD(additionalData(valueKeyId, context));
        decipher.setAuthTag(tag);
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertextText, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new DecryptionError(
          'This encrypted value does not authenticate: it was changed, or belongs to another row',
        );
      }
    },
  };
}
