import { type Kysely, sql } from 'kysely';
import { columnTypes } from './column-types';

// Frozen in time: takes Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
  const types = columnTypes(db);
  await db.schema
    .createTable('provider_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    // NULL: the app-wide key the admin sets. (The users table comes with accounts.)
    .addColumn('user_id', 'text')
    .addColumn('provider', 'text', (column) =>
      column.notNull().check(sql`provider in ('openrouter', 'anthropic', 'openai')`),
    )
    // `v1:<keyId>:<iv>:<tag>:<ciphertext>`: never the key itself.
    .addColumn('encrypted_key', 'text', (column) => column.notNull())
    .addColumn('masked', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  // One key per user and provider, and one app-wide key per provider. Unique indexes treat
  // NULLs as distinct, so the app-wide rows get their own partial index.
  await sql`create unique index provider_keys_user_provider on provider_keys (user_id, provider) where user_id is not null`.execute(
    db,
  );
  await sql`create unique index provider_keys_app_provider on provider_keys (provider) where user_id is null`.execute(
    db,
  );

  // Which key paid for a generation (never the key).
  for (const table of ['plans', 'chat_messages']) {
    await db.schema
      .alterTable(table)
      .addColumn('key_source', 'text', (column) =>
        column.check(sql`key_source in ('user', 'app', 'env', 'simulator')`),
      )
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('chat_messages').dropColumn('key_source').execute();
  await db.schema.alterTable('plans').dropColumn('key_source').execute();
  await db.schema.dropTable('provider_keys').execute();
}
