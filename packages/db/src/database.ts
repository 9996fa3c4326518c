import SQLite from 'better-sqlite3';
import { Kysely, type MigrationResultSet, Migrator, PostgresAdapter, sql } from 'kysely';
import {
  checkDatabaseFileIdentity,
  type DatabaseCheck,
  type DatabaseFileIdentity,
  type DatabaseLogger,
  DatabaseOpenError,
  identifyDatabaseFile,
  prepareDatabaseFile,
  writeDatabaseMarker,
} from './database-file';
import { migrations } from './migrations/index';
import { openPostgresDatabase } from './postgres-database';
import { createQueuedSqliteDialect } from './queued-sqlite-dialect';
import type { Database } from './schema';

export type SluiceDatabase = Kysely<Database>;

/** SQLite: one process, embedded (the default). PostgreSQL: several instances share it. */
export type DatabaseEngine = 'sqlite' | 'postgres';

export interface OpenDatabaseOptions {
  /**
   * `postgres://…` or `postgresql://…` for PostgreSQL; otherwise a SQLite file path, or
   * ':memory:' (a `file:` or `sqlite:` prefix is accepted).
   */
  url: string;
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
  /** Told when a database is created, loudly when one was expected (see prepareDatabaseFile). */
  logger?: DatabaseLogger;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Which engine a DATABASE_URL selects. */
export function databaseEngineOf(url: string): DatabaseEngine {
  return isPostgresUrl(url) ? 'postgres' : 'sqlite';
}

/** Which engine an open database (or a transaction on it) runs on. */
export function databaseEngine(db: Kysely<any>): DatabaseEngine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** A URL as it may be shown in a message: without its password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

export function sqlitePathFromUrl(url: string): string {
  if (isPostgresUrl(url)) {
    throw new DatabaseOpenError(
      `DATABASE_URL=${withoutPassword(url)} is a PostgreSQL URL, not a SQLite file path.`,
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme && !/^(sqlite|file)$/i.test(scheme)) {
    throw new DatabaseOpenError(
      `DATABASE_URL=${withoutPassword(url)}: ${scheme}:// databases are not supported. Set DATABASE_URL to a postgres:// URL, to a SQLite file path such as ./data/sluice.db, or unset it.`,
    );
  }
  return url.replace(/^(sqlite|file):(\/\/)?/i, '');
}

/** SQLite's own refusal, in words that name the path and say what to do. */
function explainSqliteError(path: string, error: unknown): DatabaseOpenError {
  const code = String((error as { code?: unknown }).code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  const cause = code.startsWith('SQLITE_CANTOPEN')
    ? 'SQLite cannot open or create it (and its -wal and -shm files beside it). Check that the directory exists and this user may write to it, or set DATABASE_URL to a writable path.'
    : code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')
      ? 'it is read-only for this user. Give this user write access to the file and its directory.'
      : code === 'SQLITE_NOTADB'
        ? 'the file is not a SQLite database. Move it away, or set DATABASE_URL to a Sluice database or a new file path.'
        : code.startsWith('SQLITE_CORRUPT')
          ? 'the database is corrupt. Restore it from a backup.'
          : 'SQLite could not open it. Check the path and its permissions.';
  return new DatabaseOpenError(
    `Cannot use the SQLite database at ${path} (DATABASE_URL): ${cause} (${code || 'error'}: ${message})`,
  );
}

/**
 * The one way to open Sluice's database. A `postgres://` URL opens a pool on PostgreSQL
 * (connections are made on first use: migrateToLatest reports a server that cannot be
 * reached). Anything else opens SQLite with WAL, a busy timeout and foreign keys on; a path
 * that cannot hold a database throws a DatabaseOpenError whose message names it and says
 * what to do. Close either with `db.destroy()`; probe it with checkDatabaseFile (liveness)
 * and checkDatabase (readiness); databaseEngine(db) says which engine it is.
 */
export function openDatabase(options: OpenDatabaseOptions): SluiceDatabase {
  if (isPostgresUrl(options.url)) {
    return openPostgresDatabase({
      url: options.url,
      poolSize: options.poolSize,
      logger: options.logger,
      describe: withoutPassword,
    });
  }
  const path = sqlitePathFromUrl(options.url);
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) prepareDatabaseFile(path, options.logger);
  let connection: SQLite.Database | undefined;
  try {
    connection = new SQLite(path);
    connection.pragma('journal_mode = WAL');
    connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    connection.pragma('foreign_keys = ON');
    // WAL + NORMAL is durable across process crashes (only an OS crash can lose the last commits).
    connection.pragma('synchronous = NORMAL');
  } catch (error) {
    connection?.close();
    throw explainSqliteError(path, error);
  }
  let file: DatabaseFileIdentity | undefined;
  if (onDisk) {
    writeDatabaseMarker(path, options.logger);
    file = identifyDatabaseFile(path);
  }
  const db = new Kysely<Database>({ dialect: createQueuedSqliteDialect({ database: connection }) });
  openedDatabases.set(db, { connection, file });
  return db;
}

const openedDatabases = new WeakMap<
  Kysely<Database>,
  { connection: SQLite.Database; file: DatabaseFileIdentity | undefined }
>();

/**
 * Liveness: is the database file still the one the server opened? One stat, no query, so
 * it never waits on the database. Fails when the file was deleted or replaced. Always
 * passes on PostgreSQL (there is no file; readiness asks the server).
 */
export function checkDatabaseFile(db: Kysely<Database>): DatabaseCheck {
  const file = openedDatabases.get(db)?.file;
  return file ? checkDatabaseFileIdentity(file) : { ok: true };
}

/** Readiness: the file is still there (SQLite) and the database answers a query. */
export async function checkDatabase(db: Kysely<Database>): Promise<DatabaseCheck> {
  const file = checkDatabaseFile(db);
  if (!file.ok) return file;
  try {
    if (databaseEngine(db) === 'postgres') await sql`select 1`.execute(db);
    else await sql`pragma schema_version`.execute(db);
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      reason: `The database does not answer: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * Runs synchronous work on the database's own SQLite connection (prepared statements on
 * a hot path), holding Kysely's connection lock so it never lands inside another
 * transaction that is waiting on an await.
 */
export async function withSqliteConnection<T>(
  db: Kysely<Database>,
  work: (connection: SQLite.Database) => T,
): Promise<T> {
  const connection = openedDatabases.get(db)?.connection;
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

/** Any number, the same in every instance: the advisory lock that serialises migrations. */
const migrationLockKey = 0x51_1c_e0;

/**
 * Runs the migrations not yet applied. On PostgreSQL, instances that boot at the same
 * moment on a fresh database take turns: each holds a session advisory lock on one
 * connection for the whole run (the migration tables' creation included), and the later
 * ones find nothing left to do.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  if (databaseEngine(db) !== 'postgres') return runMigrations(db);
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${migrationLockKey})`.execute(connection);
    try {
      await runMigrations(connection);
    } finally {
      await sql`select pg_advisory_unlock(${migrationLockKey})`.execute(connection);
    }
  });
}

async function runMigrations(db: Kysely<any>): Promise<void> {
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
