import type { Kysely } from 'kysely';
import type { Database } from '../schema';

export async function readSettings(
  db: Kysely<Database>,
  keys: readonly string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', keys)
    .execute();
  return new Map(rows.map((row) => [row.key, row.value]));
}

export async function writeSettings(
  db: Kysely<Database>,
  values: Readonly<Record<string, string>>,
  now: Date,
): Promise<void> {
  const timestamp = now.toISOString();
  await db.transaction().execute(async (transaction) => {
    for (const [key, value] of Object.entries(values)) {
      await transaction
        .insertInto('settings')
        .values({ key, value, updated_at: timestamp })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({ value, updated_at: timestamp }),
        )
        .execute();
    }
  });
}
