import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  type Stats,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/** A database that cannot be used; the message names the path and says what to do. */
export class DatabaseOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

/** The pino-compatible subset openDatabase logs to. */
export interface DatabaseLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Which file a database was opened on, to notice when the path no longer leads to it. */
export interface DatabaseFileIdentity {
  path: string;
  dev: number;
  ino: number;
}

export type DatabaseCheck = { ok: true } | { ok: false; reason: string };

const sqliteHeader = 'SQLite format 3\u0000';

/** Kernel filesystems where a database cannot live (and where `mkdir -p` can spin forever). */
const specialDirectories = ['/proc', '/sys', '/dev'];
const specialFilesystemTypes = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
]);

/** The file beside the database that says a database was created here before. */
export function databaseMarkerPath(path: string): string {
  return `${path}.marker`;
}

function cannotUse(path: string, problem: string, action: string): DatabaseOpenError {
  return new DatabaseOpenError(
    `Cannot use the SQLite database at ${path} (DATABASE_URL): ${problem}. ${action}`,
  );
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The path itself, or the closest directory above it that exists. */
function closestExisting(path: string): { path: string; stats: Stats } {
  let current = path;
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = statOrUndefined(current);
    } catch (error) {
      // ENOTDIR: a file sits where a directory should be; keep going up to find it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    }
    if (stats) return { path: current, stats };
    const parent = dirname(current);
    if (parent === current) throw new Error(`No part of ${path} exists`);
    current = parent;
  }
}

function refuseSpecialFilesystem(path: string, existing: string): void {
  const real = realpathSync(existing);
  const underSpecial = specialDirectories.find(
    (directory) => real === directory || real.startsWith(`${directory}${sep}`),
  );
  let filesystem: string | undefined;
  try {
    filesystem = specialFilesystemTypes.get(statfsSync(existing).type);
  } catch {
    // statfs is not available everywhere; the path check above still applies.
  }
  if (underSpecial || filesystem) {
    throw cannotUse(
      path,
      `it is on a kernel filesystem (${filesystem ?? underSpecial}), not on disk`,
      'Set DATABASE_URL to a file on a disk, such as ./data/sluice.db.',
    );
  }
}

function readHeader(path: string): string {
  const buffer = Buffer.alloc(sqliteHeader.length);
  const descriptor = openSync(path, 'r');
  try {
    const read = readSync(descriptor, buffer, 0, buffer.length, 0);
    return buffer.toString('latin1', 0, read);
  } finally {
    closeSync(descriptor);
  }
}

function explainFileSystemError(path: string, error: unknown, doing: string): DatabaseOpenError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return cannotUse(
      path,
      `${doing} was refused (${code})`,
      'Give this user access to the path and write access to its directory, or set DATABASE_URL to a path it can write.',
    );
  }
  return cannotUse(
    path,
    `${doing} failed: ${(error as Error).message}`,
    'Set DATABASE_URL to a file path in a writable directory, such as ./data/sluice.db.',
  );
}

export interface PreparedDatabaseFile {
  /** A database with content was there. */
  existed: boolean;
  /** The file was missing although a database had been created here before (see the marker). */
  expected: boolean;
}

/**
 * Checks a database path before SQLite opens it, so that every bad path ends at once in a
 * message that names it: a directory, a parent that is a file, a kernel filesystem (/proc,
 * /sys, /dev), a device or pipe, a file that is not SQLite, a directory that cannot be made.
 *
 * A database is "expected" when the file is missing or empty but the marker Sluice writes
 * beside every database it opens (`<path>.marker`), or SQLite's `-wal`/`-shm` files, are
 * there: the database was deleted, and a new, empty one is about to replace it. That is
 * logged as an error, and leftover `-wal`/`-shm` files are moved aside (renamed
 * `…-wal.orphaned-<time>`) so SQLite does not replay them into the new database.
 */
export function prepareDatabaseFile(path: string, logger?: DatabaseLogger): PreparedDatabaseFile {
  const absolute = resolve(path);
  let existing: { path: string; stats: Stats };
  try {
    existing = closestExisting(absolute);
  } catch (error) {
    throw explainFileSystemError(path, error, 'looking up the path');
  }
  refuseSpecialFilesystem(path, existing.path);

  if (existing.path === absolute) {
    const stats = existing.stats;
    if (stats.isDirectory()) {
      throw cannotUse(
        path,
        'it is a directory',
        `Set DATABASE_URL to a file inside it, such as ${join(path, 'sluice.db')}.`,
      );
    }
    if (!stats.isFile()) {
      throw cannotUse(
        path,
        'it is not a regular file (a device, pipe or socket)',
        'Set DATABASE_URL to a file path, such as ./data/sluice.db.',
      );
    }
    if (stats.size > 0) {
      let header: string;
      try {
        header = readHeader(absolute);
      } catch (error) {
        throw explainFileSystemError(path, error, 'reading the file');
      }
      if (header !== sqliteHeader) {
        throw cannotUse(
          path,
          'the file is not a SQLite database',
          'Move the file away, or set DATABASE_URL to a Sluice database or to a new file path.',
        );
      }
      return { existed: true, expected: false };
    }
  } else if (!existing.stats.isDirectory()) {
    throw cannotUse(
      path,
      `${existing.path} is a file, so no directory can be created there`,
      'Set DATABASE_URL to a path whose parent is a directory, such as ./data/sluice.db.',
    );
  } else {
    try {
      mkdirSync(dirname(absolute), { recursive: true });
    } catch (error) {
      throw explainFileSystemError(path, error, `creating the directory ${dirname(absolute)}`);
    }
  }

  const leftovers = ['-wal', '-shm'].map((suffix) => `${absolute}${suffix}`).filter(existsSync);
  const marker = databaseMarkerPath(absolute);
  const expected = leftovers.length > 0 || existsSync(marker);
  if (expected) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const movedAside = leftovers.map((leftover) => {
      const target = `${leftover}.orphaned-${stamp}`;
      renameSync(leftover, target);
      return target;
    });
    logger?.error(
      { path: absolute, marker: existsSync(marker) ? marker : undefined, movedAside },
      `DATABASE MISSING: ${absolute} was expected (a database was created there before) but is gone or empty. ` +
        'A NEW, EMPTY database is being created: earlier plans and chats are not in it. ' +
        'If this is a mistake, stop the server and restore the file from a backup.',
    );
  }
  return { existed: false, expected };
}

/** Records that a database lives at this path (after it was opened), for prepareDatabaseFile. */
export function writeDatabaseMarker(path: string, logger?: DatabaseLogger): void {
  const marker = databaseMarkerPath(resolve(path));
  if (existsSync(marker)) return;
  writeFileSync(
    marker,
    `${JSON.stringify({
      createdAt: new Date().toISOString(),
      note: 'Written by Sluice beside its SQLite database. If this file exists and the database does not, Sluice logs an error when it creates a new, empty one.',
    })}\n`,
  );
  logger?.info({ path: resolve(path), marker }, 'database marker written');
}

export function identifyDatabaseFile(path: string): DatabaseFileIdentity {
  const stats = statSync(path);
  return { path: resolve(path), dev: stats.dev, ino: stats.ino };
}

/** Cheap (one stat): is the file at the database's path still the one it was opened on? */
export function checkDatabaseFileIdentity(identity: DatabaseFileIdentity): DatabaseCheck {
  let stats: Stats | undefined;
  try {
    stats = statOrUndefined(identity.path);
  } catch (error) {
    return {
      ok: false,
      reason: `The database file ${identity.path} cannot be read: ${(error as Error).message}`,
    };
  }
  if (!stats) {
    return {
      ok: false,
      reason: `The database file ${identity.path} was deleted while the server was running: new data is written to a file that no longer exists. Restore it from a backup and restart the server.`,
    };
  }
  if (stats.dev !== identity.dev || stats.ino !== identity.ino) {
    return {
      ok: false,
      reason: `The database file ${identity.path} was replaced by another file while the server was running. Restart the server to use the new file.`,
    };
  }
  return { ok: true };
}
