import type { Kysely } from 'kysely';
import type { ApiKeyRow, Database, UserRow } from '../schema';

export async function insertApiKey(
  db: Kysely<Database>,
  args: { id: string; userId: string; name: string; start: string; keyHash: string; now: Date },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({
      id: args.id,
      user_id: args.userId,
      name: args.name,
      start: args.start,
      key_hash: args.keyHash,
      created_at: args.now.toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A user's keys, newest first. */
export async function listApiKeys(db: Kysely<Database>, userId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Deletes one of the user's keys; false when the user has no key with that id. */
export async function deleteApiKey(
  db: Kysely<Database>,
  args: { userId: string; id: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('api_keys')
    .where('id', '=', args.id)
    .where('user_id', '=', args.userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The key with this hash and its owner (the lookup is by an indexed unique column). */
export async function findApiKeyByHash(
  db: Kysely<Database>,
  keyHash: string,
): Promise<{ key: ApiKeyRow; user: UserRow } | undefined> {
  const key = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
  if (!key) return undefined;
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', key.user_id)
    .executeTakeFirst();
  return user ? { key, user } : undefined;
}

export async function touchApiKey(
  db: Kysely<Database>,
  args: { id: string; now: Date },
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: args.now.toISOString() })
    .where('id', '=', args.id)
    .execute();
}
