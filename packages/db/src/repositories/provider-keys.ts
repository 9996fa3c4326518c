import type { Kysely } from 'kysely';
import type { Database, ProviderKeyRow, ProviderName } from '../schema';

export interface SaveProviderKeyArgs {
  /** Used when the row is new. */
  id: string;
  /** Null for the app-wide key. */
  userId: string | null;
  provider: ProviderName;
  encryptedKey: string;
  masked: string;
  now: Date;
}

/** Inserts the owner's key for the provider, or replaces the one stored (one per owner and provider). */
export async function saveProviderKey(
  db: Kysely<Database>,
  args: SaveProviderKeyArgs,
): Promise<ProviderKeyRow> {
  const timestamp = args.now.toISOString();
  const replacement = {
    encrypted_key: args.encryptedKey,
    masked: args.masked,
    updated_at: timestamp,
  };
  return db
    .insertInto('provider_keys')
    .values({
      id: args.id,
      user_id: args.userId,
      provider: args.provider,
      ...replacement,
      created_at: timestamp,
    })
    .onConflict((conflict) =>
      // The target names the partial unique index that holds this owner's rows.
      args.userId === null
        ? conflict.column('provider').where('user_id', 'is', null).doUpdateSet(replacement)
        : conflict
            .columns(['user_id', 'provider'])
            .where('user_id', 'is not', null)
            .doUpdateSet(replacement),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

function ownedBy(db: Kysely<Database>, userId: string | null) {
  const query = db.selectFrom('provider_keys').selectAll();
  return userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
}

/** The owner's keys (null: the app-wide ones), by provider. */
export async function listProviderKeys(
  db: Kysely<Database>,
  userId: string | null,
): Promise<ProviderKeyRow[]> {
  return ownedBy(db, userId).orderBy('provider').execute();
}

export async function findProviderKey(
  db: Kysely<Database>,
  userId: string | null,
  provider: ProviderName,
): Promise<ProviderKeyRow | undefined> {
  return ownedBy(db, userId).where('provider', '=', provider).executeTakeFirst();
}

export async function deleteProviderKey(
  db: Kysely<Database>,
  userId: string | null,
  provider: ProviderName,
): Promise<boolean> {
  let query = db.deleteFrom('provider_keys').where('provider', '=', provider);
  query =
    userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
  const result = await query.executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every stored key of every owner (boot checks, key rotation). */
export async function listAllProviderKeys(db: Kysely<Database>): Promise<ProviderKeyRow[]> {
  return db.selectFrom('provider_keys').selectAll().orderBy('id').execute();
}

/** Replaces a row's ciphertext (key rotation); the key and its masked form stay the same. */
export async function replaceEncryptedProviderKey(
  db: Kysely<Database>,
  args: { id: string; encryptedKey: string },
): Promise<boolean> {
  const result = await db
    .updateTable('provider_keys')
    .set({ encrypted_key: args.encryptedKey })
    .where('id', '=', args.id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
