import type { Kysely } from 'kysely';
import { columnTypes } from './column-types';

// Frozen in time: takes Kysely<any> and never imports application code. Plain text and real
// columns only (real is double precision on PostgreSQL), so it runs on SQLite and PostgreSQL;
// `refreshed_at` is ISO-8601 text on both.
export async function up(db: Kysely<any>): Promise<void> {
  const { real } = columnTypes(db);
  // Where a plan's or reply's `cost` comes from: `billed` (the provider's figure), `computed`
  // (tokens × the price table) or `estimated` (a stopped stream, tokens counted by Sluice).
  // NULL: no cost is known (rows from before this column, or no usage at all).
  await db.schema.alterTable('plans').addColumn('cost_source', 'text').execute();
  await db.schema.alterTable('chat_messages').addColumn('cost_source', 'text').execute();
  // The id the provider gave the generation (OpenRouter's `gen-…`), to ask for its bill later.
  await db.schema.alterTable('plans').addColumn('upstream_id', 'text').execute();
  await db.schema.alterTable('chat_messages').addColumn('upstream_id', 'text').execute();

  // A chat session's own ceiling on one reply's cost (USD); NULL: the server's default.
  await db.schema.alterTable('chat_sessions').addColumn('max_cost_usd', real).execute();

  // Prices per token, USD: the refreshed copy of OpenRouter's models list (the bundled
  // snapshot is used for any model not here).
  await db.schema
    .createTable('model_prices')
    .addColumn('model', 'text', (column) => column.primaryKey())
    .addColumn('input_per_token', real, (column) => column.notNull())
    .addColumn('output_per_token', real, (column) => column.notNull())
    .addColumn('cache_read_per_token', real)
    .addColumn('cache_write_per_token', real)
    .addColumn('reasoning_per_token', real)
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('refreshed_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('model_prices').execute();
  await db.schema.alterTable('chat_sessions').dropColumn('max_cost_usd').execute();
  await db.schema.alterTable('chat_messages').dropColumn('upstream_id').execute();
  await db.schema.alterTable('plans').dropColumn('upstream_id').execute();
  await db.schema.alterTable('chat_messages').dropColumn('cost_source').execute();
  await db.schema.alterTable('plans').dropColumn('cost_source').execute();
}
