import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase } from '../../test/test-database';
import type { SluiceDatabase } from '../database';
import { migrations } from '../migrations/index';
import { insertPlan } from './plans';
import {
  deleteProviderKey,
  findProviderKey,
  listAllProviderKeys,
  listProviderKeys,
  replaceEncryptedProviderKey,
  saveProviderKey,
} from './provider-keys';

let db: SluiceDatabase;
let close: () => Promise<void>;
let ids = 0;

function save(
  userId: string | null,
  provider: 'openrouter' | 'openai',
  value: string,
  now = new Date('2026-12-01T10:00:00.000Z'),
) {
  ids += 1;
  return saveProviderKey(db, {
    id: `key-${ids}`,
    userId,
    provider,
    encryptedKey: `v1:test:${value}`,
    masked: `…${value.slice(-4)}`,
    now,
  });
}

describe.each(engines)('provider keys on %s', (engine) => {
  beforeEach(async () => {
    ({ db, close } = await openTestDatabase(engine));
  });

  afterEach(() => close());

  it('keeps one key per user and provider, replacing it on a second save', async () => {
    const first = await save('user-1', 'openrouter', 'first-value');
    const second = await save(
      'user-1',
      'openrouter',
      'second-value',
      new Date('2026-12-02T10:00:00.000Z'),
    );
    expect(second.id).toBe(first.id);
    expect(second.encrypted_key).toBe('v1:test:second-value');
    expect(second.created_at).toBe(first.created_at);
    expect(second.updated_at).toBe('2026-12-02T10:00:00.000Z');
    await save('user-1', 'openai', 'openai-value');
    await save('user-2', 'openrouter', 'other-user');
    expect((await listProviderKeys(db, 'user-1')).map((row) => row.provider)).toEqual([
      'openai',
      'openrouter',
    ]);
    expect(await listAllProviderKeys(db)).toHaveLength(3);
  });

  it('keeps exactly one app-wide key per provider (NULL owners are not distinct here)', async () => {
    const first = await save(null, 'openrouter', 'app-one');
    const second = await save(null, 'openrouter', 'app-two');
    expect(second.id).toBe(first.id);
    expect(await listProviderKeys(db, null)).toHaveLength(1);
    expect((await findProviderKey(db, null, 'openrouter'))?.encrypted_key).toBe('v1:test:app-two');
    // A user's key and the app-wide key live side by side.
    await save('user-1', 'openrouter', 'user-one');
    expect((await findProviderKey(db, 'user-1', 'openrouter'))?.encrypted_key).toBe(
      'v1:test:user-one',
    );
    expect((await findProviderKey(db, null, 'openrouter'))?.encrypted_key).toBe('v1:test:app-two');
    // The database itself refuses a second app-wide row.
    await expect(
      sql`insert into provider_keys (id, user_id, provider, encrypted_key, masked, created_at, updated_at) values ('dup', null, 'openrouter', 'x', 'x', 'now', 'now')`.execute(
        db,
      ),
    ).rejects.toThrow(/unique/i);
  });

  it('deletes only the owner’s key', async () => {
    await save('user-1', 'openrouter', 'user-one');
    await save(null, 'openrouter', 'app-one');
    expect(await deleteProviderKey(db, 'user-2', 'openrouter')).toBe(false);
    expect(await deleteProviderKey(db, 'user-1', 'openrouter')).toBe(true);
    expect(await deleteProviderKey(db, 'user-1', 'openrouter')).toBe(false);
    expect(await findProviderKey(db, null, 'openrouter')).toBeDefined();
  });

  it('replaces a ciphertext in place', async () => {
    const row = await save('user-1', 'openrouter', 'user-one');
    expect(await replaceEncryptedProviderKey(db, { id: row.id, encryptedKey: 'v1:new:x' })).toBe(
      true,
    );
    expect((await findProviderKey(db, 'user-1', 'openrouter'))?.encrypted_key).toBe('v1:new:x');
  });

  it('refuses an unknown provider and an unknown key source', async () => {
    await expect(
      sql`insert into provider_keys (id, user_id, provider, encrypted_key, masked, created_at, updated_at) values ('p', 'u', 'acme', 'x', 'x', 'now', 'now')`.execute(
        db,
      ),
    ).rejects.toThrow(/check constraint/i);
    const timestamp = new Date().toISOString();
    await db
      .insertInto('users')
      .values({
        id: 'owner',
        name: 'Owner',
        email: 'owner@example.com',
        created_at: timestamp,
        updated_at: timestamp,
      })
      .execute();
    await insertPlan(db, {
      userId: 'owner',
      id: 'plan-1',
      inputId: 'input-1',
      goals: 'g',
      preferences: {},
      model: 'm',
      keySource: 'app',
      now: new Date(),
    });
    expect(
      (await db.selectFrom('plans').select('key_source').executeTakeFirstOrThrow()).key_source,
    ).toBe('app');
    await expect(sql`update plans set key_source = 'stolen'`.execute(db)).rejects.toThrow(
      /check constraint/i,
    );
  });

  it('migrates down and up again', async () => {
    const migration = migrations['2026-12-01-002-provider-keys'];
    if (!migration?.down) throw new Error('the migration has no down');
    await migration.down(db);
    const tables = await db.introspection.getTables();
    expect(tables.map((table) => table.name)).not.toContain('provider_keys');
    expect(
      tables.find((table) => table.name === 'plans')?.columns.map((column) => column.name),
    ).not.toContain('key_source');
    await migration.up(db);
    await save(null, 'openrouter', 'again');
  });
});
