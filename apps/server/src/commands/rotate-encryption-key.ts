// `pnpm --filter @sluice/server rotate-encryption-key`: re-encrypts every stored provider key
// under NEW_ENCRYPTION_KEY. Stop the server first; start it afterwards with
// ENCRYPTION_KEY set to the new key.
import { DatabaseOpenError, migrateToLatest, openDatabase } from '@sluice/db';
import { ConfigError, loadKeyRotationConfig } from '../env';
import { KeyRotationError, rotateEncryptionKey } from '../provider-keys/rotate-encryption-key';
import { DecryptionError } from '../secrets/encryptor';

async function main(): Promise<void> {
  const config = loadKeyRotationConfig();
  const db = openDatabase({ url: config.databaseUrl });
  try {
    await migrateToLatest(db);
    const result = await rotateEncryptionKey({
      db,
      currentKey: config.currentKey,
      newKey: config.newKey,
    });
    console.log(
      `Re-encrypted ${result.rotated} provider keys under key id ${result.newKeyId}; ${result.skipped} were already under it.`,
    );
    console.log(
      'Now start the server with ENCRYPTION_KEY set to the new key (NEW_ENCRYPTION_KEY).',
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  const expected = [ConfigError, DatabaseOpenError, KeyRotationError, DecryptionError].some(
    (type) => error instanceof type,
  );
  console.error(
    expected
      ? (error as Error).message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : error,
  );
  process.exit(1);
});
