import { type Kysely, sql } from 'kysely';
import { columnTypes } from './column-types';

// Frozen in time: takes Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
  const types = columnTypes(db);
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('chat_sessions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('system_prompt', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('character', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('user_profile', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('experiment', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('session_id', 'text', (column) =>
      column.notNull().references('chat_sessions.id').onDelete('cascade'),
    )
    .addColumn('role', 'text', (column) =>
      column.notNull().check(sql`role in ('user', 'assistant')`),
    )
    .addColumn('content', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('status', 'text', (column) =>
      column.check(sql`status in ('generating', 'completed', 'failed', 'cancelled', 'partial')`),
    )
    .addColumn('status_reason', 'text')
    .addColumn('reply_to', 'text', (column) =>
      column.references('chat_messages.id').onDelete('cascade'),
    )
    .addColumn('client_request_id', 'text')
    .addColumn('model', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('error_retryable', 'integer')
    .addColumn('input_tokens', 'integer')
    .addColumn('output_tokens', 'integer')
    .addColumn('cost', types.real)
    .addColumn('time_to_first_token_ms', 'integer')
    .addColumn('duration_ms', 'integer')
    .addColumn('chunks', 'integer')
    .addColumn('characters', 'integer')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .addColumn('completed_at', types.timestamp)
    .execute();
  if (types.postgres) {
    // SQLite lists a session's messages in rowid order; PostgreSQL has no rowid, so it gets a
    // column that numbers rows in insertion order (read by no one but that ORDER BY).
    await sql`alter table chat_messages add column position bigint generated always as identity`.execute(
      db,
    );
    await db.schema
      .createIndex('chat_messages_session_position')
      .on('chat_messages')
      .columns(['session_id', 'position'])
      .execute();
  }
  await db.schema
    .createIndex('chat_messages_session_created')
    .on('chat_messages')
    .columns(['session_id', 'created_at', 'id'])
    .execute();
  // One active generation per session, enforced here rather than by a flag in memory.
  await sql`create unique index chat_messages_one_generating on chat_messages (session_id) where status = 'generating'`.execute(
    db,
  );
  // A retried send with the same client request id finds the first one.
  await sql`create unique index chat_messages_client_request on chat_messages (session_id, client_request_id) where client_request_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('chat_artifacts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('session_id', 'text', (column) =>
      column.notNull().references('chat_sessions.id').onDelete('cascade'),
    )
    .addColumn('message_id', 'text', (column) =>
      column.notNull().unique().references('chat_messages.id').onDelete('cascade'),
    )
    .addColumn('title', 'text')
    .addColumn('html', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chat_artifacts').execute();
  await db.schema.dropTable('chat_messages').execute();
  await db.schema.dropTable('chat_sessions').execute();
  await db.schema.dropTable('settings').execute();
}
