import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { withSqliteConnection } from '../database';
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
 * Appends streamed text to generating rows, all in one transaction with one prepared
 * statement. Only the new text is sent, so flushing a document costs linear time in all.
 */
export async function appendContent(
  db: Kysely<Database>,
  target: ContentTarget,
  appends: readonly ContentAppend[],
  now: Date,
): Promise<void> {
  if (appends.length === 0) return;
  const timestamp = now.toISOString();
  await withSqliteConnection(db, (connection) => {
    const statement = appendStatement(connection, target);
    connection.transaction(() => {
      for (const append of appends) statement.run(append.text, timestamp, append.id);
    })();
  });
}
