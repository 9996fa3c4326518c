import { type Kysely, sql } from 'kysely';
import { columnTypes } from './column-types';

// Frozen in time: takes Kysely<any> and never imports application code.
// Better Auth's four tables (user, session, account, verification) under snake_case names
// (the auth instance maps its fields onto them), our API keys and per-user settings, and
// an owner on every row that belongs to someone. Timestamps are ISO-8601 text, as in the
// other tables; Better Auth's Kysely adapter writes dates and booleans that way on SQLite.
const ownedTables = [
  'plan_inputs',
  'plans',
  'chat_sessions',
  'chat_messages',
  'chat_artifacts',
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const types = columnTypes(db);
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('email', 'text', (column) => column.notNull().unique())
    .addColumn('email_verified', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('image', 'text')
    .addColumn('role', 'text', (column) =>
      column.notNull().defaultTo('user').check(sql`role in ('user', 'admin')`),
    )
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) =>
      column.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('token', 'text', (column) => column.notNull().unique())
    .addColumn('expires_at', types.timestamp, (column) => column.notNull())
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) =>
      column.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('account_id', 'text', (column) => column.notNull())
    .addColumn('provider_id', 'text', (column) => column.notNull())
    .addColumn('access_token', 'text')
    .addColumn('refresh_token', 'text')
    .addColumn('id_token', 'text')
    .addColumn('access_token_expires_at', types.timestamp)
    .addColumn('refresh_token_expires_at', types.timestamp)
    .addColumn('scope', 'text')
    .addColumn('password', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema.createIndex('accounts_user').on('accounts').column('user_id').execute();

  await db.schema
    .createTable('verifications')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('identifier', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('expires_at', types.timestamp, (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('verifications_identifier')
    .on('verifications')
    .column('identifier')
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) =>
      column.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (column) => column.notNull())
    /** The first characters of the key, to recognise it in a list. */
    .addColumn('start', 'text', (column) => column.notNull())
    /** Hex SHA-256 of the whole key; the key itself is never stored. */
    .addColumn('key_hash', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('last_used_at', types.timestamp)
    .execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();

  await db.schema
    .createTable('user_settings')
    .addColumn('user_id', 'text', (column) =>
      column.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .addPrimaryKeyConstraint('user_settings_pk', ['user_id', 'key'])
    .execute();

  // Null only for rows written before accounts existed, until the first admin claims them.
  for (const table of ownedTables) {
    await db.schema
      .alterTable(table)
      .addColumn('user_id', 'text', (column) => column.references('users.id').onDelete('cascade'))
      .execute();
  }
  await db.schema
    .createIndex('plans_user_created')
    .on('plans')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('plan_inputs_user').on('plan_inputs').column('user_id').execute();
  await db.schema
    .createIndex('chat_sessions_user_updated')
    .on('chat_sessions')
    .columns(['user_id', 'updated_at', 'id'])
    .execute();
  await db.schema.createIndex('chat_messages_user').on('chat_messages').column('user_id').execute();
  await db.schema
    .createIndex('chat_artifacts_user')
    .on('chat_artifacts')
    .column('user_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'chat_artifacts_user',
    'chat_messages_user',
    'chat_sessions_user_updated',
    'plan_inputs_user',
    'plans_user_created',
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  for (const table of ownedTables) {
    await db.schema.alterTable(table).dropColumn('user_id').execute();
  }
  await db.schema.dropTable('user_settings').execute();
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('verifications').execute();
  await db.schema.dropTable('accounts').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('users').execute();
}
