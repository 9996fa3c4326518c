import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkDatabase,
  checkDatabaseFile,
  migrateToLatest,
  openDatabase,
  type SluiceDatabase,
} from './database';
import { type DatabaseLogger, DatabaseOpenError, databaseMarkerPath } from './database-file';

let directory: string;
const opened: SluiceDatabase[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'sluice-db-file-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
  chmodSync(directory, 0o755);
  rmSync(directory, { recursive: true, force: true });
});

function recordingLogger() {
  const entries: Array<{ level: 'info' | 'error'; details: object; message: string }> = [];
  const logger: DatabaseLogger = {
    info: (details, message) => entries.push({ level: 'info', details, message }),
    error: (details, message) => entries.push({ level: 'error', details, message }),
  };
  return { logger, entries, errors: () => entries.filter((entry) => entry.level === 'error') };
}

async function open(url: string, logger?: DatabaseLogger) {
  const db = openDatabase({ url, logger });
  opened.push(db);
  await migrateToLatest(db);
  return db;
}

function openError(url: string): DatabaseOpenError {
  try {
    opened.push(openDatabase({ url }));
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseOpenError);
    return error as DatabaseOpenError;
  }
  throw new Error(`${url} was opened`);
}

describe('openDatabase refuses a path that cannot hold a database, naming it', () => {
  it('refuses a directory and suggests a file inside it', () => {
    expect(openError(directory).message).toBe(
      `Cannot use the SQLite database at ${directory} (DATABASE_URL): it is a directory. Set DATABASE_URL to a file inside it, such as ${join(directory, 'sluice.db')}.`,
    );
  });

  it('refuses a path whose parent is a file, instead of an EEXIST stack', () => {
    const file = join(directory, 'notes.txt');
    writeFileSync(file, 'notes');
    const path = join(file, 'data', 'sluice.db');
    const { message } = openError(path);
    expect(message).toContain(`Cannot use the SQLite database at ${path}`);
    expect(message).toContain(`${file} is a file, so no directory can be created there`);
    expect(message).not.toContain('EEXIST');
  });

  it('refuses a file that is not a SQLite database', () => {
    const path = join(directory, 'sluice.db');
    writeFileSync(path, 'this is a text file, not a database\n');
    const { message } = openError(path);
    expect(message).toContain(`at ${path} (DATABASE_URL): the file is not a SQLite database`);
    expect(message).toContain('Move the file away');
  });

  // Before, `mkdir -p` under /proc spun at 100 % CPU forever: the timeout guards against that.
  it.each([
    ['/proc/sluice/data/sluice.db', 'kernel filesystem (proc)'],
    ['/proc/self/sluice.db', 'kernel filesystem'],
    ['/sys/sluice.db', 'kernel filesystem'],
    ['/dev/sluice.db', 'kernel filesystem'],
    ['/dev/null', 'kernel filesystem'],
  ])('refuses %s at once', { timeout: 10_000 }, (path, problem) => {
    const { message } = openError(path);
    expect(message).toContain(`Cannot use the SQLite database at ${path} (DATABASE_URL)`);
    expect(message).toContain(problem);
    expect(message).toContain('Set DATABASE_URL to a file on a disk');
  });

  it('refuses other database URLs by their scheme', () => {
    expect(openError('mysql://localhost/sluice').message).toContain(
      'mysql:// databases are not supported',
    );
  });

  it.skipIf(process.getuid?.() === 0)('refuses a directory this user cannot write', () => {
    const locked = join(directory, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const path = join(locked, 'sluice.db');
    const { message } = openError(path);
    expect(message).toContain(`Cannot use the SQLite database at ${path}`);
    expect(message).toContain('this user may write to it');
  });

  it('opens a nested path, creating its directories, and a sqlite: URL', async () => {
    const db = await open(`sqlite:${join(directory, 'a', 'b', 'sluice.db')}`);
    expect(checkDatabaseFile(db)).toEqual({ ok: true });
    expect(await checkDatabase(db)).toEqual({ ok: true });
  });
});

describe('a new database where one was expected', () => {
  it('logs the creation of a first database quietly and writes the marker', async () => {
    const path = join(directory, 'sluice.db');
    const { logger, errors } = recordingLogger();
    await open(path, logger);
    expect(errors()).toEqual([]);
    expect(existsSync(databaseMarkerPath(path))).toBe(true);
  });

  it('logs nothing loud when the database is there', async () => {
    const path = join(directory, 'sluice.db');
    await (await open(path)).destroy();
    const { logger, errors } = recordingLogger();
    await open(path, logger);
    expect(errors()).toEqual([]);
  });

  it('logs an error when the file is gone but its marker is there', async () => {
    const path = join(directory, 'sluice.db');
    const first = await open(path);
    await first.destroy();
    rmSync(path);
    const { logger, errors } = recordingLogger();
    await open(path, logger);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.message).toContain(`DATABASE MISSING: ${path} was expected`);
    expect(errors()[0]?.message).toContain('A NEW, EMPTY database');
    expect(errors()[0]?.details).toMatchObject({ path, marker: databaseMarkerPath(path) });
  });

  it('logs an error when -wal/-shm files are left without their database, and moves them aside', async () => {
    const path = join(directory, 'sluice.db');
    writeFileSync(`${path}-wal`, 'left over');
    writeFileSync(`${path}-shm`, 'left over');
    const { logger, errors } = recordingLogger();
    const db = await open(path, logger);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.message).toContain('DATABASE MISSING');
    expect(errors()[0]?.details).toMatchObject({
      movedAside: [
        expect.stringContaining(`${path}-wal.orphaned-`),
        expect.stringContaining(`${path}-shm.orphaned-`),
      ],
    });
    expect(readdirSync(directory).filter((name) => name.includes('.orphaned-'))).toHaveLength(2);
    expect(await checkDatabase(db)).toEqual({ ok: true });
  });
});

describe('checking the open database', () => {
  it('fails when the file is deleted under the open database', async () => {
    const path = join(directory, 'sluice.db');
    const db = await open(path);
    rmSync(path);
    const expected = {
      ok: false,
      reason: expect.stringContaining(`The database file ${path} was deleted`),
    };
    expect(checkDatabaseFile(db)).toEqual(expected);
    expect(await checkDatabase(db)).toEqual(expected);
  });

  it('fails when the file is replaced by another one', async () => {
    const path = join(directory, 'sluice.db');
    const db = await open(path);
    await (await open(join(directory, 'other.db'))).destroy();
    renameSync(join(directory, 'other.db'), path);
    expect(checkDatabaseFile(db)).toEqual({
      ok: false,
      reason: expect.stringContaining('was replaced by another file'),
    });
  });

  it('fails readiness when the database no longer answers', async () => {
    const db = await open(join(directory, 'sluice.db'));
    await db.destroy();
    expect(await checkDatabase(db)).toEqual({
      ok: false,
      reason: expect.stringContaining('The database does not answer'),
    });
  });
});
