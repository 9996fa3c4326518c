import { TRPCClientError } from '@trpc/client';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CreatedUser,
  createUser,
  type SluiceClient,
  startTestStack,
  type TestStack,
} from './support/test-stack';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function start(env: Record<string, string>): Promise<TestStack> {
  stack = await startTestStack({ env: { MAX_EVENT_LOOP_DELAY_MS: '600000', ...env } });
  return stack;
}

/** Every row of every table, to prove a refused call wrote nothing. */
function dumpDatabase(path: string): string {
  const connection = new SQLite(path, { readonly: true });
  try {
    const tables = connection
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all() as Array<{ name: string }>;
    return JSON.stringify(
      tables.map(({ name }) => [name, connection.prepare(`select * from "${name}"`).all()]),
    );
  } finally {
    connection.close();
  }
}

function countRows(path: string, table: string, userId: string): number {
  const connection = new SQLite(path, { readonly: true });
  try {
    const row = connection
      .prepare(`select count(*) as count from "${table}" where user_id = ?`)
      .get(userId) as { count: number };
    return row.count;
  } finally {
    connection.close();
  }
}

async function refusalOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      return { code: error.data?.code as string, message: error.message, data: error.data };
    }
    throw error;
  }
  throw new Error('The call was accepted');
}

function startOfNextMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
}

async function quotaOf(client: SluiceClient, name: string) {
  const { quotas } = await client.account.usage.query();
  const quota = quotas.find((entry) => entry.name === name);
  if (!quota) throw new Error(`No quota ${name}`);
  return quota;
}

describe('plan quota', () => {
  it('accepts exactly one of 20 concurrent plan.create calls when one unit is left', async () => {
    const current = await start({ QUOTA_PLANS_PER_MONTH: '3' });
    const user = await createUser(current);
    await user.client.plan.generate.mutate({ goals: 'Learn to juggle' });
    await user.client.plan.generate.mutate({ goals: 'Learn to whistle' });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        user.client.plan.create.mutate({ goals: `Goal ${index}: learn to draw` }),
      ),
    );
    const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(accepted).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') continue;
      expect(outcome.reason).toBeInstanceOf(TRPCClientError);
      expect((outcome.reason as TRPCClientError<never>).data).toMatchObject({
        code: 'TOO_MANY_REQUESTS',
        reason: 'QUOTA_EXCEEDED',
        quota: 'plans-per-month',
      });
    }
    expect(countRows(current.databasePath, 'plans', user.user.id)).toBe(3);
    expect(await quotaOf(user.client, 'plans-per-month')).toMatchObject({ limit: 3, used: 3 });
  });

  it('refuses with the quota, its reset time and a plain message, writing no row and calling no upstream', async () => {
    const current = await start({ QUOTA_PLANS_PER_MONTH: '1' });
    const user = await createUser(current);
    const first = await user.client.plan.generate.mutate({ goals: 'Learn to juggle' });
    expect(first.status).toBe('completed');

    const before = dumpDatabase(current.databasePath);
    const requests = current.simulator.requests.length;
    const refusal = await refusalOf(user.client.plan.create.mutate({ goals: 'Learn to swim' }));
    expect(refusal.code).toBe('TOO_MANY_REQUESTS');
    expect(refusal.data).toMatchObject({
      httpStatus: 429,
      reason: 'QUOTA_EXCEEDED',
      quota: 'plans-per-month',
      resetsAt: startOfNextMonth(),
    });
    expect(refusal.message).toMatch(
      /^You have used all 1 plans for this month; more on \d+ \w+\.$/,
    );

    expect(dumpDatabase(current.databasePath)).toBe(before);
    expect(current.simulator.requests.length).toBe(requests);
    // Another user has their own quota.
    const other = await createUser(current);
    await expect(other.client.plan.create.mutate({ goals: 'Learn to swim' })).resolves.toBeTruthy();
  });

  it('gives the unit back when the upstream failed before the first token', async () => {
    const current = await start({ QUOTA_PLANS_PER_MONTH: '1' });
    const user = await createUser(current);
    const failed = await user.client.plan.generate.mutate({
      goals: 'Learn to juggle',
      model: 'sluice/simulator@error-only',
    });
    expect(failed.status).toBe('failed');
    expect(failed.content).toBe('');
    expect(await quotaOf(user.client, 'plans-per-month')).toMatchObject({ used: 0 });
    const next = await user.client.plan.generate.mutate({ goals: 'Learn to juggle' });
    expect(next.status).toBe('completed');
    expect(await quotaOf(user.client, 'plans-per-month')).toMatchObject({ used: 1 });
  });

  it('keeps the unit when the upstream failed after writing', async () => {
    const current = await start({ QUOTA_PLANS_PER_MONTH: '1' });
    const user = await createUser(current);
    const failed = await user.client.plan.generate.mutate({
      goals: 'Learn to juggle',
      model: 'sluice/simulator@error-after-5',
    });
    expect(failed.status).not.toBe('completed');
    expect(failed.content).not.toBe('');
    expect(await quotaOf(user.client, 'plans-per-month')).toMatchObject({ used: 1 });
  });
});

describe('spend quota', () => {
  it('settles the spend with the cost the provider reported', async () => {
    const current = await start({});
    const user = await createUser(current);
    const plan = await user.client.plan.generate.mutate({ goals: 'Learn to juggle' });
    const cost = plan.usage?.cost;
    expect(cost).toBeGreaterThan(0);
    const spend = await quotaOf(user.client, 'usd-per-month');
    expect(spend).toMatchObject({ limit: null, resetsAt: startOfNextMonth() });
    expect(spend.used).toBeCloseTo(cost ?? 0, 12);
  });

  it('refuses new generations once the month’s spend reached the limit', async () => {
    const current = await start({ QUOTA_USD_PER_MONTH: '0.000001' });
    const user = await createUser(current);
    const plan = await user.client.plan.generate.mutate({ goals: 'Learn to juggle' });
    expect(plan.usage?.cost).toBeGreaterThan(0.000001);
    const requests = current.simulator.requests.length;
    const refusal = await refusalOf(user.client.plan.create.mutate({ goals: 'Learn to swim' }));
    expect(refusal.data).toMatchObject({ reason: 'QUOTA_EXCEEDED', quota: 'usd-per-month' });
    expect(refusal.message).toMatch(/\$0\.00 of model use for this month/);
    const session = await user.client.chat.createSession.mutate({});
    const chat = await refusalOf(
      user.client.chat.send.mutate({ sessionId: session.id, content: 'Hi' }),
    );
    expect(chat.data).toMatchObject({ quota: 'usd-per-month' });
    expect(current.simulator.requests.length).toBe(requests);
  });
});

describe('reply quota', () => {
  it('accepts exactly one of 20 concurrent chat.send calls when one unit is left', async () => {
    const current = await start({ QUOTA_REPLIES_PER_DAY: '1' });
    const user = await createUser(current);
    const sessions = await Promise.all(
      Array.from({ length: 20 }, () => user.client.chat.createSession.mutate({})),
    );
    const outcomes = await Promise.allSettled(
      sessions.map((session, index) =>
        user.client.chat.send.mutate({ sessionId: session.id, content: `Question ${index}?` }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [(outcome.reason as TRPCClientError<never>).data] : [],
    );
    for (const data of refused) {
      expect(data).toMatchObject({ reason: 'QUOTA_EXCEEDED', quota: 'replies-per-day' });
    }
    expect(countRows(current.databasePath, 'chat_messages', user.user.id)).toBe(2);
  });

  it('refuses a reply with a plain message, writing no row and calling no upstream', async () => {
    const current = await start({ QUOTA_REPLIES_PER_DAY: '1' });
    const user = await createUser(current);
    const session = await user.client.chat.createSession.mutate({});
    await user.client.chat.send.mutate({ sessionId: session.id, content: 'Hi', stream: false });
    const before = dumpDatabase(current.databasePath);
    const requests = current.simulator.requests.length;
    const refusal = await refusalOf(
      user.client.chat.send.mutate({ sessionId: session.id, content: 'Again' }),
    );
    expect(refusal.data).toMatchObject({ reason: 'QUOTA_EXCEEDED', quota: 'replies-per-day' });
    expect(refusal.message).toMatch(
      /^You have used all 1 chat replies for today; more at 00:00 UTC/,
    );
    const now = new Date();
    expect(refusal.data?.resetsAt).toBe(
      new Date(
        Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1),
      ).toISOString(),
    );
    expect(dumpDatabase(current.databasePath)).toBe(before);
    expect(current.simulator.requests.length).toBe(requests);
  });

  it('gives the reply back when the upstream failed before the first token', async () => {
    const current = await start({ QUOTA_REPLIES_PER_DAY: '1' });
    const user = await createUser(current);
    const session = await user.client.chat.createSession.mutate({
      model: 'sluice/simulator@status-503',
    });
    const failed = await user.client.chat.send.mutate({
      sessionId: session.id,
      content: 'Hi',
      stream: false,
    });
    expect(failed.message?.status).toBe('failed');
    expect(await quotaOf(user.client, 'replies-per-day')).toMatchObject({ used: 0 });
  });
});

describe('admin overrides', () => {
  it('sets a user’s own limit, unlimited, and back to the default', async () => {
    const current = await start({ QUOTA_PLANS_PER_MONTH: '1' });
    const user: CreatedUser = await createUser(current);
    const admin = current.admin.client;
    await user.client.plan.create.mutate({ goals: 'Learn to juggle' });
    await expect(user.client.plan.create.mutate({ goals: 'Again' })).rejects.toThrow(/all 1 plans/);

    await admin.admin.setUserQuotas.mutate({ userId: user.user.id, plansPerMonth: 2 });
    await expect(user.client.plan.create.mutate({ goals: 'Second' })).resolves.toBeTruthy();
    expect(await quotaOf(user.client, 'plans-per-month')).toMatchObject({ limit: 2, used: 2 });

    await admin.admin.setUserQuotas.mutate({ userId: user.user.id, plansPerMonth: 'unlimited' });
    expect(await quotaOf(user.client, 'plans-per-month')).toMatchObject({ limit: null });
    await expect(user.client.plan.create.mutate({ goals: 'Third' })).resolves.toBeTruthy();
    const listed = await admin.admin.listUsers.query();
    const row = listed.find((entry) => entry.id === user.user.id);
    expect(row).toMatchObject({ email: user.user.email, role: 'user' });
    expect(row?.quotas.find((quota) => quota.name === 'plans-per-month')).toMatchObject({
      override: 'unlimited',
      limit: null,
      used: 3,
    });

    await admin.admin.setUserQuotas.mutate({ userId: user.user.id, plansPerMonth: null });
    expect(await quotaOf(user.client, 'plans-per-month')).toMatchObject({ limit: 1 });
    await expect(user.client.plan.create.mutate({ goals: 'Fourth' })).rejects.toThrow(
      /all 1 plans/,
    );

    await expect(
      admin.admin.setUserQuotas.mutate({ userId: 'no-such-user', plansPerMonth: 5 }),
    ).rejects.toThrow(/No user/);
    await expect(
      admin.admin.setUserQuotas.mutate({ userId: user.user.id, plansPerMonth: -3 }),
    ).rejects.toThrow();
  });
});

describe('start rate', () => {
  it('refuses starts over RATE_LIMIT_GENERATIONS_PER_MINUTE per user, naming the limit', async () => {
    const current = await start({ RATE_LIMIT_GENERATIONS_PER_MINUTE: '2' });
    const user = await createUser(current);
    await user.client.plan.create.mutate({ goals: 'One' });
    const session = await user.client.chat.createSession.mutate({});
    await user.client.chat.send.mutate({ sessionId: session.id, content: 'Two' });
    const requests = current.simulator.requests.length;
    const before = Date.now();
    const refusal = await refusalOf(user.client.plan.create.mutate({ goals: 'Three' }));
    expect(refusal.code).toBe('TOO_MANY_REQUESTS');
    expect(refusal.data).toMatchObject({
      httpStatus: 429,
      reason: 'RATE_LIMITED',
      limit: 'RATE_LIMIT_GENERATIONS_PER_MINUTE',
    });
    expect(Date.parse(String(refusal.data?.retryAt))).toBeGreaterThan(before);
    expect(refusal.message).toMatch(/RATE_LIMIT_GENERATIONS_PER_MINUTE/);
    // Nothing more reached the upstream; another user is not limited by this one.
    const other = await createUser(current);
    await expect(other.client.plan.create.mutate({ goals: 'Mine' })).resolves.toBeTruthy();
    expect(current.simulator.requests.length).toBeGreaterThanOrEqual(requests);
  });
});
