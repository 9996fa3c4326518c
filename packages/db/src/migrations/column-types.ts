import { type Kysely, PostgresAdapter } from 'kysely';

// Frozen with the migrations that use it: changing a type here would change old migrations.
/**
 * Column types where the engines differ. SQLite keeps today's types (timestamps as ISO-8601
 * text, REAL); PostgreSQL gets timestamptz and double precision (its `real` is 4 bytes). Ids,
 * JSON documents and booleans stay text and 0/1 integers on both, so a row reads the same.
 */
export function columnTypes(db: Kysely<any>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    postgres,
    timestamp: postgres ? ('timestamptz' as const) : ('text' as const),
    real: postgres ? ('double precision' as const) : ('real' as const),
  };
}
