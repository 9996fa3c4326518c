import { randomBytes } from 'node:crypto';
import type { SluiceDatabase } from '@sluice/db';

const secretKey = 'auth.secret';

/**
 * The secret Better Auth signs cookies with: BETTER_AUTH_SECRET when set, else one generated
 * at first boot and kept in the settings table, so the offline default needs no setting and
 * sessions survive restarts. Concurrent first boots agree: the first insert wins, all re-read.
 */
export async function resolveAuthSecret(
  db: SluiceDatabase,
  configured: string | undefined,
  now: Date = new Date(),
): Promise<string> {
  if (configured) return configured;
  await db
    .insertInto('settings')
    .values({
      key: secretKey,
      value: randomBytes(32).toString('base64url'),
      updated_at: now.toISOString(),
    })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', secretKey)
    .executeTakeFirstOrThrow();
  return row.value;
}
