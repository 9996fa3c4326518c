import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, type SluiceDatabase } from '@sluice/db';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKeys } from './api-keys';

let directory: string;
let db: SluiceDatabase;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'sluice-api-keys-'));
  db = openDatabase({ url: join(directory, 'sluice.db') });
  await migrateToLatest(db);
  const timestamp = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      id: 'user-1',
      name: 'Ada',
      email: 'ada@example.com',
      created_at: timestamp,
      updated_at: timestamp,
    })
    .execute();
});

afterEach(async () => {
  await db.destroy();
  rmSync(directory, { recursive: true, force: true });
});

/** Rows this (single) connection has changed since it opened. */
async function changesSoFar(): Promise<number> {
  const result = await sql<{ changes: number }>`select total_changes() as changes`.execute(db);
  return result.rows[0]?.changes ?? 0;
}

describe('API keys', () => {
  it('knows its owner by the key, and no one by a wrong or revoked key', async () => {
    const keys = createApiKeys({ db });
    const { id, key } = await keys.create('user-1', 'laptop');
    expect(key.startsWith('sk-sluice-')).toBe(true);
    expect(await keys.verify(key)).toMatchObject({ userId: 'user-1', via: 'api-key' });
    expect(await keys.verify(`${key.slice(0, -1)}x`)).toBeNull();
    expect(await keys.revoke('user-1', id)).toBe(true);
    expect(await keys.verify(key)).toBeNull();
  });

  it('records the use of a key once for a burst of requests, not once per request', async () => {
    let clock = Date.parse('2026-11-29T12:00:00Z');
    const keys = createApiKeys({ db, now: () => new Date(clock) });
    const { key } = await keys.create('user-1', 'bench');
    const before = await changesSoFar();
    // Many subscriptions connecting at once with one key.
    const callers = await Promise.all(Array.from({ length: 200 }, () => keys.verify(key)));
    expect(callers.every((caller) => caller?.userId === 'user-1')).toBe(true);
    expect((await changesSoFar()) - before).toBe(1);
    const listed = await keys.list('user-1');
    expect(listed[0]?.lastUsedAt).toBe('2026-11-29T12:00:00.000Z');

    // A minute later, the next use is recorded again.
    clock += 61_000;
    await keys.verify(key);
    expect((await changesSoFar()) - before).toBe(2);
  });
});
