import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase } from '../../test/test-database';
import type { SluiceDatabase } from '../database';
import { deleteApiKey, findApiKeyByHash, insertApiKey, listApiKeys, touchApiKey } from './api-keys';
import { insertPlan } from './plans';
import {
  addQuotaSpend,
  findUserQuotas,
  listQuotaUsage,
  listUsers,
  type QuotaReservation,
  QuotaUnavailableError,
  releaseQuotas,
  upsertUserQuotas,
} from './quotas';
import { readSettings, writeSettings } from './settings';
import { readUserSettings, writeUserSettings } from './user-settings';
import { claimFirstAdmin, countUsers, findUser, setUserRole } from './users';

let db: SluiceDatabase;
let close: () => Promise<void>;
const now = new Date('2026-12-02T10:00:00.000Z');

async function insertUser(id: string) {
  await db
    .insertInto('users')
    .values({
      id,
      name: id,
      email: `${id}@example.com`,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
}

describe.each(engines)('accounts, keys, settings and quotas on %s', (engine) => {
  beforeEach(async () => {
    ({ db, close } = await openTestDatabase(engine));
    await insertUser('alice');
    await insertUser('bob');
  });

  afterEach(() => close());

  it('lets exactly one user claim the first admin, with the rows from before accounts', async () => {
    await db
      .insertInto('chat_sessions')
      .values({
        id: 'old',
        user_id: null,
        title: 't',
        model: 'm',
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .execute();
    const claims = await Promise.all([
      claimFirstAdmin(db, { userId: 'alice', now }),
      claimFirstAdmin(db, { userId: 'bob', now }),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const admin = claims[0] ? 'alice' : 'bob';
    expect((await findUser(db, admin))?.role).toBe('admin');
    const old = await db.selectFrom('chat_sessions').select('user_id').executeTakeFirst();
    expect(old?.user_id).toBe(admin);
    expect(await countUsers(db)).toBe(2);
    expect(await setUserRole(db, { userId: 'nobody', role: 'admin', now })).toBe(false);
    expect((await listUsers(db)).map((user) => user.id)).toEqual(['alice', 'bob']);
  });

  it('stores API keys by hash, newest first, and deletes only the owner’s', async () => {
    await insertApiKey(db, {
      id: 'k1',
      userId: 'alice',
      name: 'a',
      start: 'sk',
      keyHash: 'h1',
      now,
    });
    await insertApiKey(db, {
      id: 'k2',
      userId: 'alice',
      name: 'b',
      start: 'sk',
      keyHash: 'h2',
      now: new Date('2026-12-03T10:00:00.000Z'),
    });
    expect((await listApiKeys(db, 'alice')).map((key) => key.id)).toEqual(['k2', 'k1']);
    await touchApiKey(db, { id: 'k1', now });
    const found = await findApiKeyByHash(db, 'h1');
    expect(found?.key.last_used_at).toBe(now.toISOString());
    expect(found?.user.email_verified).toBe(0);
    expect(await findApiKeyByHash(db, 'H1')).toBeUndefined();
    expect(await deleteApiKey(db, { userId: 'bob', id: 'k1' })).toBe(false);
    expect(await deleteApiKey(db, { userId: 'alice', id: 'k1' })).toBe(true);
  });

  it('upserts app and user settings', async () => {
    await writeSettings(db, { a: '1', b: '2' }, now);
    await writeSettings(db, { a: '3' }, now);
    expect(Object.fromEntries(await readSettings(db, ['a', 'b', 'c']))).toEqual({ a: '3', b: '2' });
    await writeUserSettings(db, 'alice', { model: 'x' }, now);
    await writeUserSettings(db, 'alice', { model: 'y' }, now);
    expect(Object.fromEntries(await readUserSettings(db, 'alice', ['model']))).toEqual({
      model: 'y',
    });
    expect((await readUserSettings(db, 'bob', ['model'])).size).toBe(0);
  });

  it('takes quota units in the writing transaction and refuses the one past the limit', async () => {
    const quota: QuotaReservation = {
      quota: 'plans-per-month',
      period: '2026-12',
      limit: 2,
      measure: 'count',
    };
    const plan = (id: string) =>
      insertPlan(db, {
        id,
        userId: 'alice',
        inputId: `input-${id}`,
        goals: 'g',
        preferences: {},
        model: 'm',
        quotas: [quota],
        now,
      });
    await plan('p1');
    await plan('p2');
    await expect(plan('p3')).rejects.toBeInstanceOf(QuotaUnavailableError);
    expect(await db.selectFrom('plans').select('id').where('id', '=', 'p3').execute()).toEqual([]);
    await releaseQuotas(db, 'alice', [quota]);
    await addQuotaSpend(db, {
      userId: 'alice',
      quota: 'plans-per-month',
      period: '2026-12',
      usd: 0.25,
    });
    expect(await listQuotaUsage(db, 'alice', [quota])).toEqual([
      { user_id: 'alice', quota: 'plans-per-month', period: '2026-12', used: 1, spent_usd: 0.25 },
    ]);
    await upsertUserQuotas(db, { userId: 'alice', overrides: { plans_per_month: -1 }, now });
    await upsertUserQuotas(db, { userId: 'alice', overrides: { usd_per_month: 1.5 }, now });
    expect(await findUserQuotas(db, 'alice')).toEqual({
      user_id: 'alice',
      plans_per_month: -1,
      replies_per_day: null,
      usd_per_month: 1.5,
      updated_at: now.toISOString(),
    });
  });
});
