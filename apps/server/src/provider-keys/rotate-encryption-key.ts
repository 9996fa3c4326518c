import { listAllProviderKeys, replaceEncryptedProviderKey, type SluiceDatabase } from '@sluice/db';
import { createEncryptor, storedKeyId } from '../secrets/encryptor';
import { providerKeyContext } from './provider-key-service';

export interface KeyRotationResult {
  /** Values re-encrypted under the new key. */
  rotated: number;
  /** Values already under the new key (a repeated run). */
  skipped: number;
  newKeyId: string;
}

export class KeyRotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRotationError';
  }
}

/**
 * Re-encrypts every stored provider key from `currentKey` to `newKey`, in one transaction:
 * all of them or none. Values already under the new key are skipped, so running it again
 * is harmless. A value under a third key stops it (nothing changes).
 */
export async function rotateEncryptionKey(args: {
  db: SluiceDatabase;
  currentKey: Buffer;
  newKey: Buffer;
}): Promise<KeyRotationResult> {
  const current = createEncryptor(args.currentKey);
  const next = createEncryptor(args.newKey);
  return args.db.transaction().execute(async (transaction) => {
    const result: KeyRotationResult = { rotated: 0, skipped: 0, newKeyId: next.keyId };
    for (const row of await listAllProviderKeys(transaction)) {
      const keyId = storedKeyId(row.encrypted_key);
      if (keyId === next.keyId) {
        result.skipped += 1;
        continue;
      }
      if (keyId !== current.keyId) {
        throw new KeyRotationError(
          `The stored ${row.provider} key ${row.id} is encrypted with key id ${keyId ?? 'unknown'}, which is neither ENCRYPTION_KEY (${current.keyId}) nor NEW_ENCRYPTION_KEY (${next.keyId}); nothing was changed`,
        );
      }
      const context = providerKeyContext(row.user_id, row.provider);
      await replaceEncryptedProviderKey(transaction, {
        id: row.id,
        encryptedKey: next.encrypt(current.decrypt(row.encrypted_key, context), context),
      });
      result.rotated += 1;
    }
    return result;
  });
}
