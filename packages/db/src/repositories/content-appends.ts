import type SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { databaseEngine, withSqliteConnection } from '../database';
import type { Database } from '../schema';

export interface ContentAppend {
  id: string;
  text: string;
}

type ContentTarget =
  | { table: 'plans'; column: 'partial_content' }
  | { table: 'chat_messages'; column: 'content' };

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

function appendStatement(connection: SQLite.Database, target: ContentTarget): SQLite.Statement {
  let cache = statements.get(connection);
  if (!cache) {
    cache = new Map();
    statements.set(connection, cache);
  }
  const key = `${target.table}.${target.column}`;
  let statement = cache.get(key);
  if (!statement) {
    statement = connection.prepare(
      `update ${target.table} set ${target.column} = ${target.column} || ?, updated_at = ? where id = ? and status = 'generating'`,
    );
    cache.set(key, statement);
  }
  return statement;
}

/**
 * PostgreSQL: the whole batch in one UPDATE … FROM unnest(ids, texts). Several appends to one
 * row in a batch are joined in their order first (an UPDATE changes a row at most once).
 */
async function appendContentPostgres(
  db: Kysely<Database>,
  target: ContentTarget,
  appends: readonly ContentAppend[],
  timestamp: string,
): Promise<void> {
  const column = sql.ref(target.column);
  await sql`
    update ${sql.table(target.table)} as target
    set ${column} = target.${column} || batch.text, updated_at = ${timestamp}
    from (
      select appended.id, string_agg(appended.text, '' order by appended.ordinal) as text
      from unnest(${appends.map((append) => append.id)}::text[], ${appends.map((append) => append.text)}::text[])
        with ordinality as appended(id, text, ordinal)
      group by appended.id
    ) as batch
    where target.id = batch.id and target.status = 'generating'
  `.execute(db);
}

/**
 * Appends streamed text to generating rows: on SQLite in one transaction with one prepared
 * statement, on PostgreSQL in one statement. Only the new text is sent, so flushing a
 * document costs linear time in all.
 */
export async function appendContent(
  db: Kysely<Database>,
  target: ContentTarget,
  appends: readonly ContentAppend[],
  now: Date,
): Promise<void> {
  if (appends.length === 0) return;
  const timestamp = now.toISOString();
  if (databaseEngine(db) === 'postgres') {
    await appendContentPostgres(db, target, appends, timestamp);
    return;
  }
  await withSqliteConnection(db, (connection) => {
    const statement = appendStatement(connection, target);
    connection.transaction(() => {
      for (const append of appends) statement.run(append.text, timestamp, append.id);
    })();
  });
}
