import { type Kysely, sql } from 'kysely';
import { columnTypes } from './column-types';

// Frozen in time: takes Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
  const types = columnTypes(db);
  // The admin's per-user overrides of the env defaults. A NULL column (or no row): the default;
  // -1: unlimited for this user; any other value: the user's own limit.
  await db.schema
    .createTable('user_quotas')
    .addColumn('user_id', 'text', (column) =>
      column.primaryKey().references('users.id').onDelete('cascade'),
    )
    .addColumn('plans_per_month', 'integer', (column) => column.check(sql`plans_per_month >= -1`))
    .addColumn('replies_per_day', 'integer', (column) => column.check(sql`replies_per_day >= -1`))
    .addColumn('usd_per_month', types.real, (column) => column.check(sql`usd_per_month >= -1`))
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();

  // What a user used in one period of one quota (`period`: `2026-12` or `2026-12-02`, UTC).
  // `used` counts generations; `spent_usd` sums their settled cost.
  await db.schema
    .createTable('quota_usage')
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('quota', 'text', (column) =>
      column.notNull().check(sql`quota in ('plans-per-month', 'replies-per-day', 'usd-per-month')`),
    )
    .addColumn('period', 'text', (column) => column.notNull())
    .addColumn('used', 'integer', (column) => column.notNull().defaultTo(0).check(sql`used >= 0`))
    .addColumn('spent_usd', types.real, (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('quota_usage_primary_key', ['user_id', 'quota', 'period'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('quota_usage').execute();
  await db.schema.dropTable('user_quotas').execute();
}
