import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationResultSet, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations/index';
import type { Database } from './schema';

export type SluiceDatabase = Kysely<Database>;

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:'. A `file:` or `sqlite:` prefix is accepted. */
  url: string;
  busyTimeoutMs?: number;
}

export function sqlitePathFromUrl(url: string): string {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    throw new Error(
      `DATABASE_URL=${url}: PostgreSQL is not supported yet. Use a SQLite file path such as ./data/sluice.db`,
    );
  }
  return url.replace(/^(sqlite|file):(\/\/)?/, '');
}

/** Opens SQLite with WAL, a busy timeout and foreign keys on. */
export function openDatabase(options: OpenDatabaseOptions): SluiceDatabase {
  const path = sqlitePathFromUrl(options.url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new SQLite(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  connection.pragma('foreign_keys = ON');
  // WAL + NORMAL is durable across process crashes (only an OS crash can lose the last commits).
  connection.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  sqliteConnections.set(db, connection);
  return db;
}

const sqliteConnections = new WeakMap<Kysely<Database>, SQLite.Database>();

/**
 * Runs synchronous work on the database's own SQLite connection (prepared statements on
 * a hot path), holding Kysely's connection lock so it never lands inside another
 * transaction that is waiting on an await.
 */
export async function withSqliteConnection<T>(
  db: Kysely<Database>,
  work: (connection: SQLite.Database) => T,
): Promise<T> {
  const connection = sqliteConnections.get(db);
  if (!connection) throw new Error('This database was not opened with openDatabase');
  return db.connection().execute(async () => work(connection));
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new MigrationError(
      `Database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      results,
    );
  }
}
