import type { Kysely } from 'kysely';
import type { Database } from '../schema';

/** A user's own values for `keys` (absent when the user never set one). */
export async function readUserSettings(
  db: Kysely<Database>,
  userId: string,
  keys: readonly string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_settings')
    .select(['key', 'value'])
    .where('user_id', '=', userId)
    .where('key', 'in', keys)
    .execute();
  return new Map(rows.map((row) => [row.key, row.value]));
}

export async function writeUserSettings(
  db: Kysely<Database>,
  userId: string,
  values: Readonly<Record<string, string>>,
  now: Date,
): Promise<void> {
  const timestamp = now.toISOString();
  await db.transaction().execute(async (transaction) => {
    for (const [key, value] of Object.entries(values)) {
      await transaction
        .insertInto('user_settings')
        .values({ user_id: userId, key, value, updated_at: timestamp })
        .onConflict((conflict) =>
          conflict.columns(['user_id', 'key']).doUpdateSet({ value, updated_at: timestamp }),
        )
        .execute();
    }
  });
}
