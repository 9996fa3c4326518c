import type { Kysely } from 'kysely';
import type { Database, UserRole, UserRow } from '../schema';

/** The settings row whose insertion decides, once and for all, who the first admin is. */
const firstAdminKey = 'accounts.first_admin';

const ownedTables = [
  'plan_inputs',
  'plans',
  'chat_sessions',
  'chat_messages',
  'chat_artifacts',
] as const;

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findUser(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Makes `userId` the admin if nobody claimed that yet, in one transaction: the claim (a
 * settings row whose key is the primary key, so of two concurrent claims exactly one
 * inserts, on SQLite and PostgreSQL alike), the role, and the ownership of every row
 * written before accounts existed. Returns whether this user became the admin.
 */
export async function claimFirstAdmin(
  db: Kysely<Database>,
  args: { userId: string; now: Date },
): Promise<boolean> {
  const timestamp = args.now.toISOString();
  return db.transaction().execute(async (transaction) => {
    const claim = await transaction
      .insertInto('settings')
      .values({ key: firstAdminKey, value: args.userId, updated_at: timestamp })
      .onConflict((conflict) => conflict.column('key').doNothing())
      .executeTakeFirst();
    if (claim.numInsertedOrUpdatedRows === 0n) return false;
    await transaction
      .updateTable('users')
      .set({ role: 'admin', updated_at: timestamp })
      .where('id', '=', args.userId)
      .execute();
    for (const table of ownedTables) {
      await transaction
        .updateTable(table)
        .set({ user_id: args.userId })
        .where('user_id', 'is', null)
        .execute();
    }
    return true;
  });
}

export async function setUserRole(
  db: Kysely<Database>,
  args: { userId: string; role: UserRole; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ role: args.role, updated_at: args.now.toISOString() })
    .where('id', '=', args.userId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
