import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type DatabaseLogger, DatabaseOpenError } from './database-file';
import type { Database } from './schema';

const { builtins } = pg.types;
const parseTimestamp = pg.types.getTypeParser(builtins.TIMESTAMPTZ);

/**
 * Rows read the same on both engines: timestamps as ISO-8601 text (`…T…Z`, as written and as
 * SQLite stores them), and counts and sums as numbers (pg returns int8 and numeric as
 * strings, since they may exceed 2^53; Sluice's counts and sums never do).
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  switch (oid) {
    case builtins.TIMESTAMPTZ:
      return (value) => (parseTimestamp(value) as Date).toISOString();
    case builtins.INT8:
    case builtins.NUMERIC:
      return Number;
    default:
      return format === 'binary'
        ? pg.types.getTypeParser(oid, 'binary')
        : pg.types.getTypeParser(oid, 'text');
  }
}

export interface OpenPostgresOptions {
  url: string;
  poolSize?: number;
  logger?: DatabaseLogger;
  /** The URL as a message may show it (no password). */
  describe: (url: string) => string;
}

/**
 * Kysely's PostgresDialect on a pg pool. Connecting happens on first use; a server that
 * cannot be reached (or refuses the login) throws a DatabaseOpenError naming the URL without
 * its password. A pooled connection that breaks while idle is logged, not fatal.
 */
export function openPostgresDatabase(options: OpenPostgresOptions): Kysely<Database> {
  const shown = options.describe(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: { getTypeParser: getTypeParser as typeof pg.types.getTypeParser },
    application_name: 'sluice',
  });
  pool.on('error', (error) => {
    options.logger?.error(
      { err: error, database: shown },
      'an idle PostgreSQL connection failed; the pool replaces it',
    );
  });
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const connectExplained = async (): Promise<pg.PoolClient> => {
    try {
      return await connect();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DatabaseOpenError(
        `Cannot connect to the PostgreSQL database ${shown} (DATABASE_URL): ${message}. Check that the server runs and accepts this user, and that the database exists.`,
      );
    }
  };
  Object.assign(pool, { connect: connectExplained });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
