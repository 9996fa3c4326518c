import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from '@sluice/test-services';
import '@sluice/test-services/postgres-global-setup';
import { inject } from 'vitest';
import {
  type DatabaseEngine,
  migrateToLatest,
  openDatabase,
  type SluiceDatabase,
} from '../src/database';

/** The storage tests run once per engine: `describe.each(engines)('… on %s', (engine) => …)`. */
export const engines: readonly DatabaseEngine[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  db: SluiceDatabase;
  url: string;
  /** Closes the connection(s) and removes the SQLite folder. */
  close(): Promise<void>;
}

/**
 * A new, empty database of the engine: a SQLite file in a fresh folder, or a database of its
 * own in the run's private PostgreSQL cluster (see postgres-global-setup). Migrated unless
 * `migrate: false`.
 */
export async function openTestDatabase(
  engine: DatabaseEngine,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  let url: string;
  let directory: string | undefined;
  if (engine === 'postgres') {
    url = await createPostgresDatabase(inject('postgresUrl'));
  } else {
    directory = mkdtempSync(join(tmpdir(), 'sluice-db-'));
    url = join(directory, 'nested', 'sluice.db');
  }
  const db = openDatabase({ url });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    db,
    url,
    async close() {
      await db.destroy();
      if (directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
