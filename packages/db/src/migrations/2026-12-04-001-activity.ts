import { type Kysely, sql } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application code.
// Portable: plain column types, plain (partial) indexes, no SQLite-only functions.
export async function up(db: Kysely<any>): Promise<void> {
  // Plans get the figures chat replies already store at their end, for the admin's activity
  // page: time to first token, duration and the length of the text (partial or whole).
  await db.schema.alterTable('plans').addColumn('time_to_first_token_ms', 'integer').execute();
  await db.schema.alterTable('plans').addColumn('duration_ms', 'integer').execute();
  await db.schema.alterTable('plans').addColumn('characters', 'integer').execute();
  await db
    .updateTable('plans')
    .set({ characters: sql`length(partial_content)` })
    .where('status', '!=', 'generating')
    .execute();

  // The activity queries read a time range and group it: these indexes hold every column they
  // read, so a range is answered from the index alone (no table scan, no row look-ups).
  await db.schema
    .createIndex('plans_activity')
    .on('plans')
    .columns([
      'created_at',
      'status',
      'status_reason',
      'error_code',
      'model',
      'user_id',
      'cost',
      'time_to_first_token_ms',
      'duration_ms',
      'characters',
    ])
    .execute();
  await db.schema
    .createIndex('chat_messages_activity')
    .on('chat_messages')
    .columns([
      'created_at',
      'status',
      'status_reason',
      'error_code',
      'model',
      'user_id',
      'cost',
      'time_to_first_token_ms',
      'duration_ms',
      'characters',
    ])
    .where(sql.ref('role'), '=', 'assistant')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('chat_messages_activity').execute();
  await db.schema.dropIndex('plans_activity').execute();
  await db.schema.alterTable('plans').dropColumn('characters').execute();
  await db.schema.alterTable('plans').dropColumn('duration_ms').execute();
  await db.schema.alterTable('plans').dropColumn('time_to_first_token_ms').execute();
}
