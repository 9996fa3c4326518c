import { randomBytes } from 'node:crypto';
import {
  listAllProviderKeys,
  migrateToLatest,
  openDatabase,
  type SluiceDatabase,
} from '@sluice/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NotConfiguredError } from '../errors';
import { createEncryptor } from '../secrets/encryptor';
import {
  createProviderKeyService,
  maskProviderKey,
  type ProviderKeyServiceDependencies,
} from './provider-key-service';

const userKey = 'sk-or-v1-user0000111122223333444455556666abcd';
const appKey = 'sk-or-v1-app00000111122223333444455556666wxyz';
const environmentKey = 'sk-or-v1-env00000111122223333444455556666envk';

let db: SluiceDatabase;
beforeEach(async () => {
  db = openDatabase({ url: ':memory:' });
  await migrateToLatest(db);
});
afterEach(async () => {
  await db.destroy();
});

function service(overrides: Partial<ProviderKeyServiceDependencies> = {}) {
  return createProviderKeyService({
    db,
    encryptor: createEncryptor(randomBytes(32)),
    environmentKeys: {},
    ...overrides,
  });
}

describe('provider key service', () => {
  it('stores a key encrypted and answers only its masked form', async () => {
    const keys = service();
    expect(await keys.setUserKey('user-1', 'openrouter', `  ${userKey}\n`)).toEqual({
      provider: 'openrouter',
      masked: 'sk-or-…abcd',
    });
    const listed = await keys.listUserKeys('user-1');
    expect(listed).toEqual([
      { provider: 'openrouter', masked: 'sk-or-…abcd', updatedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(listed)).not.toContain(userKey);
    const [row] = await listAllProviderKeys(db);
    expect(row?.encrypted_key.startsWith('v1:')).toBe(true);
    expect(JSON.stringify(row)).not.toContain(userKey);
    expect(await keys.listUserKeys('user-2')).toEqual([]);
  });

  it('replaces a user’s key, and deletes it', async () => {
    const keys = service();
    await keys.setUserKey('user-1', 'openrouter', appKey);
    await keys.setUserKey('user-1', 'openrouter', userKey);
    expect(await keys.resolveKey('user-1', 'openrouter')).toEqual({
      source: 'user',
      apiKey: userKey,
    });
    expect(await keys.deleteUserKey('user-1', 'openrouter')).toEqual({ deleted: true });
    expect(await keys.deleteUserKey('user-1', 'openrouter')).toEqual({ deleted: false });
    expect(await keys.listUserKeys('user-1')).toEqual([]);
  });

  it('resolves the user’s key, else the app-wide one, else the environment’s, else the simulator', async () => {
    const keys = service({ environmentKeys: { openrouter: environmentKey } });
    expect(await keys.resolveKey('user-1', 'openrouter')).toEqual({
      source: 'env',
      apiKey: environmentKey,
    });
    await keys.setAppKey('openrouter', appKey);
    expect(await keys.resolveKey('user-1', 'openrouter')).toEqual({
      source: 'app',
      apiKey: appKey,
    });
    // Without a user (no accounts yet) the app-wide key comes first.
    expect(await keys.resolveKey(undefined, 'openrouter')).toEqual({
      source: 'app',
      apiKey: appKey,
    });
    await keys.setUserKey('user-1', 'openrouter', userKey);
    expect(await keys.resolveKey('user-1', 'openrouter')).toEqual({
      source: 'user',
      apiKey: userKey,
    });
    expect(await keys.resolveKey('user-2', 'openrouter')).toEqual({
      source: 'app',
      apiKey: appKey,
    });
    // Another provider has nothing stored and no environment key.
    expect(await keys.resolveKey('user-1', 'openai')).toEqual({ source: 'simulator' });
  });

  it('refuses to store a key without ENCRYPTION_KEY, saying how to set one', async () => {
    const keys = service({ encryptor: undefined });
    const attempt = keys.setUserKey('user-1', 'openrouter', userKey);
    await expect(attempt).rejects.toBeInstanceOf(NotConfiguredError);
    await expect(attempt).rejects.toThrow(
      /Set ENCRYPTION_KEY to store provider keys: .*openssl rand -base64 32/,
    );
    await expect(keys.setAppKey('openrouter', appKey)).rejects.toBeInstanceOf(NotConfiguredError);
    expect(await listAllProviderKeys(db)).toEqual([]);
    expect(await keys.resolveKey('user-1', 'openrouter')).toEqual({ source: 'simulator' });
  });

  it.each([
    ['empty', '   '],
    ['too short', 'sk-or-short'],
    ['too long', `sk-or-${'a'.repeat(600)}`],
    ['with a space inside', 'sk-or-v1-0000 1111222233334444'],
    ['with a line break inside', 'sk-or-v1-00001111\n222233334444'],
    ['with a control character', 'sk-or-v1-00001111\u0000222233334444'],
    ['with a zero-width no-break space', 'sk-or-v1-00001111\ufeff222233334444'],
  ])('refuses a key that is %s, without repeating it', async (_name, key) => {
    const keys = service();
    let error: unknown;
    try {
      await keys.setUserKey('user-1', 'openrouter', key);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('key');
    if (key.trim()) expect((error as Error).message).not.toContain(key.trim().slice(6, 20));
    expect(await listAllProviderKeys(db)).toEqual([]);
  });

  it('masks keys with the provider’s public prefix and the last four characters', () => {
    expect(maskProviderKey('sk-or-v1-0123456789abcdef')).toBe('sk-or-…cdef');
    expect(maskProviderKey('sk-ant-api03-0123456789abcdef')).toBe('sk-ant-…cdef');
    expect(maskProviderKey('sk-proj-0123456789abcdef')).toBe('sk-proj-…cdef');
    expect(maskProviderKey('0123456789abcdefghij')).toBe('…ghij');
  });

  it('does not decrypt a ciphertext moved to another user’s row', async () => {
    const keys = service();
    await keys.setUserKey('user-1', 'openrouter', userKey);
    await keys.setUserKey('user-2', 'openrouter', appKey);
    const first = (await listAllProviderKeys(db)).find((row) => row.user_id === 'user-1');
    await db
      .updateTable('provider_keys')
      .set({ encrypted_key: first?.encrypted_key ?? '' })
      .where('user_id', '=', 'user-2')
      .execute();
    await expect(keys.resolveKey('user-2', 'openrouter')).rejects.toThrow(/cannot be decrypted/);
  });
});
