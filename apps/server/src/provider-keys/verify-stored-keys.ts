import { listAllProviderKeys, type ProviderKeyRow, type SluiceDatabase } from '@sluice/db';
import { ConfigError } from '../env';
import { DecryptionError, type Encryptor, storedKeyId } from '../secrets/encryptor';
import { providerKeyContext } from './provider-key-service';

export const rotateCommand = 'pnpm --filter @sluice/server rotate-encryption-key';

const rotateHint = `To move them to a new key, run \`${rotateCommand}\` with ENCRYPTION_KEY set to the key they are encrypted with and NEW_ENCRYPTION_KEY to the new one (see README, Provider keys).`;

function keyIdsOf(rows: readonly ProviderKeyRow[]): string[] {
  return [...new Set(rows.map((row) => storedKeyId(row.encrypted_key) ?? 'unknown'))];
}

/**
 * Boot check: every stored provider key must decrypt with ENCRYPTION_KEY. Without stored
 * keys anything goes (the offline default needs no setting). Throws a ConfigError that
 * says what to do.
 */
export async function verifyStoredKeys(
  db: SluiceDatabase,
  encryptor: Encryptor | undefined,
): Promise<{ stored: number }> {
  const rows = await listAllProviderKeys(db);
  if (rows.length === 0) return { stored: 0 };
  const count = rows.length === 1 ? '1 provider key is' : `${rows.length} provider keys are`;
  if (!encryptor) {
    throw new ConfigError(
      `${count} stored encrypted (key id ${keyIdsOf(rows).join(', ')}), but ENCRYPTION_KEY is not set. Set ENCRYPTION_KEY to the key used before and start again. ${rotateHint}`,
    );
  }
  const foreign = rows.filter((row) => storedKeyId(row.encrypted_key) !== encryptor.keyId);
  if (foreign.length > 0) {
    throw new ConfigError(
      `ENCRYPTION_KEY (key id ${encryptor.keyId}) is not the key that encrypted ${foreign.length} of the ${rows.length} stored provider keys (key id ${keyIdsOf(foreign).join(', ')}). Set ENCRYPTION_KEY to the key used before and start again. ${rotateHint}`,
    );
  }
  for (const row of rows) {
    try {
      encryptor.decrypt(row.encrypted_key, providerKeyContext(row.user_id, row.provider));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new ConfigError(
        `The stored ${row.provider} key ${row.id} does not decrypt with ENCRYPTION_KEY although it names that key: it was changed in the database. Delete that row (or restore the database from a backup) and start again.`,
      );
    }
  }
  return { stored: rows.length };
}
