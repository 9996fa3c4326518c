import type { Kysely, Transaction } from 'kysely';
import type { Database, QuotaName, QuotaUsageRow, UserQuotasRow } from '../schema';

/**
 * One unit of a quota to take in the transaction that writes a plan or a reply. `limit`
 * null: counted, never refused. `measure`: what the limit is compared with — the number of
 * generations in the period (`count`) or their settled spend (`spend`).
 */
export interface QuotaReservation {
  quota: QuotaName;
  period: string;
  limit: number | null;
  measure: 'count' | 'spend';
}

/** Thrown inside the writing transaction (which then rolls back): the quota has run out. */
export class QuotaUnavailableError extends Error {
  constructor(readonly reservation: QuotaReservation) {
    super(`The quota ${reservation.quota} is used up for ${reservation.period}`);
    this.name = 'QuotaUnavailableError';
  }
}

/**
 * Takes one unit of each quota, or throws QuotaUnavailableError. The row is created if
 * missing, then incremented by a conditional UPDATE: of two concurrent transactions that
 * both see the last unit, the second one's UPDATE (re-checked under the row lock on
 * PostgreSQL, serialized by SQLite's single writer) matches no row.
 */
export async function reserveQuotas(
  transaction: Transaction<Database>,
  userId: string,
  reservations: readonly QuotaReservation[],
): Promise<void> {
  for (const reservation of reservations) {
    await transaction
      .insertInto('quota_usage')
      .values({ user_id: userId, quota: reservation.quota, period: reservation.period })
      .onConflict((conflict) => conflict.columns(['user_id', 'quota', 'period']).doNothing())
      .execute();
    let update = transaction
      .updateTable('quota_usage')
      .set((eb) => ({ used: eb('used', '+', 1) }))
      .where('user_id', '=', userId)
      .where('quota', '=', reservation.quota)
      .where('period', '=', reservation.period);
    if (reservation.limit !== null) {
      update = update.where(
        reservation.measure === 'count' ? 'used' : 'spent_usd',
        '<',
        reservation.limit,
      );
    }
    const result = await update.executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new QuotaUnavailableError(reservation);
  }
}

/** Gives back the units a generation took (it produced nothing the user could use). */
export async function releaseQuotas(
  db: Kysely<Database>,
  userId: string,
  reservations: readonly QuotaReservation[],
): Promise<void> {
  await db.transaction().execute(async (transaction) => {
    for (const reservation of reservations) {
      await transaction
        .updateTable('quota_usage')
        .set((eb) => ({ used: eb('used', '-', 1) }))
        .where('user_id', '=', userId)
        .where('quota', '=', reservation.quota)
        .where('period', '=', reservation.period)
        .where('used', '>', 0)
        .execute();
    }
  });
}

/** Adds a finished generation's real cost to the spend of its period. */
export async function addQuotaSpend(
  db: Kysely<Database>,
  args: { userId: string; quota: QuotaName; period: string; usd: number },
): Promise<void> {
  await db
    .updateTable('quota_usage')
    .set((eb) => ({ spent_usd: eb('spent_usd', '+', args.usd) }))
    .where('user_id', '=', args.userId)
    .where('quota', '=', args.quota)
    .where('period', '=', args.period)
    .execute();
}

export async function listQuotaUsage(
  db: Kysely<Database>,
  userId: string,
  periods: readonly { quota: QuotaName; period: string }[],
): Promise<QuotaUsageRow[]> {
  if (periods.length === 0) return [];
  return db
    .selectFrom('quota_usage')
    .selectAll()
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or(
        periods.map((entry) =>
          eb.and([eb('quota', '=', entry.quota), eb('period', '=', entry.period)]),
        ),
      ),
    )
    .execute();
}

export async function findUserQuotas(
  db: Kysely<Database>,
  userId: string,
): Promise<UserQuotasRow | undefined> {
  return db.selectFrom('user_quotas').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function listUserQuotas(db: Kysely<Database>): Promise<UserQuotasRow[]> {
  return db.selectFrom('user_quotas').selectAll().execute();
}

export type UserQuotaOverrides = Partial<
  Pick<UserQuotasRow, 'plans_per_month' | 'replies_per_day' | 'usd_per_month'>
>;

/** Sets the given overrides (columns left out keep their value). */
export async function upsertUserQuotas(
  db: Kysely<Database>,
  args: { userId: string; overrides: UserQuotaOverrides; now: Date },
): Promise<void> {
  const timestamp = args.now.toISOString();
  await db
    .insertInto('user_quotas')
    .values({ user_id: args.userId, ...args.overrides, updated_at: timestamp })
    .onConflict((conflict) =>
      conflict.column('user_id').doUpdateSet({ ...args.overrides, updated_at: timestamp }),
    )
    .execute();
}

export async function listUsers(db: Kysely<Database>) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'created_at'])
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}
