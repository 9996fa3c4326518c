import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { TRPCClientError } from '@trpc/client';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { createClient, createUser, startTestStack, type TestStack } from './support/test-stack';

const appKey = 'sk-or-v1-appkey7f3e9a1c5b2d8e4f6a0b3c7d9e1f2a4b6c8d0e';
const userKey = 'sk-or-v1-userkey1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9';
const secrets = [appKey, userKey];

/** The key as it could hide in a file: as text, base64, base64url, hex. */
function forms(key: string): string[] {
  const bytes = Buffer.from(key, 'utf8');
  return [key, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

function expectNoKey(text: string, where: string): void {
  for (const key of secrets) {
    for (const form of forms(key)) expect(text, where).not.toContain(form);
    // Nor the part after the public prefix, in case only that was written.
    expect(text, where).not.toContain(key.slice(9));
  }
}

/** Waits for a generation to finish (a signal, not a sleep). */
async function finished(stack: TestStack, kind: 'plans' | 'chat', id: string): Promise<void> {
  await stack.app.engines[kind].get(id)?.done;
}

function keySourceOf(stack: TestStack, table: 'plans' | 'chat_messages', id: string) {
  const db = new Database(stack.databasePath, { readonly: true });
  try {
    return (
      db.prepare(`select key_source from ${table} where id = ?`).get(id) as {
        key_source: string | null;
      }
    ).key_source;
  } finally {
    db.close();
  }
}

describe('provider keys with ENCRYPTION_KEY set', () => {
  let stack: TestStack;
  const logLines: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      env: { ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      app: { logger: createLogger('trace', { write: (line: string) => logLines.push(line) }) },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('stores the app-wide key through the API and answers only its masked form', async () => {
    const answer = await stack.client.admin.setProviderKey.mutate({
      provider: 'openrouter',
      key: appKey,
    });
    expect(answer).toEqual({
      provider: 'openrouter',
      masked: 'sk-or-…6c8d0e'.replace('6c8d0e', '8d0e'),
    });
    expectNoKey(JSON.stringify(answer), 'setProviderKey answer');
  });

  it('pays for plans and chat replies with it, recording the source, never returning it', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals: 'learn to sail' });
    await finished(stack, 'plans', planId);
    const planRequest = stack.simulator.requests.at(-1);
    expect(planRequest?.headers.authorization).toBe(`Bearer ${appKey}`);
    expect(keySourceOf(stack, 'plans', planId)).toBe('app');
    const plan = await stack.client.plan.get.query({ planId });
    expect(plan.status).toBe('completed');
    expectNoKey(JSON.stringify(plan), 'plan.get');
    expectNoKey(JSON.stringify(await stack.client.plan.list.query({})), 'plan.list');

    const session = await stack.client.chat.createSession.mutate({});
    const sent = await stack.client.chat.send.mutate({ sessionId: session.id, content: 'hello' });
    await finished(stack, 'chat', sent.messageId);
    expect(stack.simulator.requests.at(-1)?.headers.authorization).toBe(`Bearer ${appKey}`);
    expect(keySourceOf(stack, 'chat_messages', sent.messageId)).toBe('app');
    expectNoKey(JSON.stringify(sent), 'chat.send');
    expectNoKey(
      JSON.stringify(await stack.client.chat.getSession.query({ sessionId: session.id })),
      'chat.getSession',
    );
  });

  it('pays with a user’s own key before the app-wide one, and keeps each user’s keys their own', async () => {
    const user = await createUser(stack);
    expect(
      await user.client.account.setProviderKey.mutate({ provider: 'openrouter', key: userKey }),
    ).toEqual({ provider: 'openrouter', masked: 'sk-or-…e8f9' });
    const { planId } = await user.client.plan.create.mutate({ goals: 'learn to row' });
    await finished(stack, 'plans', planId);
    expect(stack.simulator.requests.at(-1)?.headers.authorization).toBe(`Bearer ${userKey}`);
    expect(keySourceOf(stack, 'plans', planId)).toBe('user');

    const session = await user.client.chat.createSession.mutate({});
    const sent = await user.client.chat.send.mutate({ sessionId: session.id, content: 'hi' });
    await finished(stack, 'chat', sent.messageId);
    expect(stack.simulator.requests.at(-1)?.headers.authorization).toBe(`Bearer ${userKey}`);
    expect(keySourceOf(stack, 'chat_messages', sent.messageId)).toBe('user');

    const listed = await user.client.account.listProviderKeys.query();
    expect(listed).toMatchObject([{ provider: 'openrouter', masked: 'sk-or-…e8f9' }]);
    expectNoKey(JSON.stringify(listed), 'listProviderKeys');
    // The admin stored no key of their own: the user's is not theirs to see.
    expect(await stack.client.account.listProviderKeys.query()).toEqual([]);

    // Without their key, the user's generations fall back to the app-wide one.
    await user.client.account.deleteProviderKey.mutate({ provider: 'openrouter' });
    const next = await user.client.plan.create.mutate({ goals: 'learn to sail back' });
    await finished(stack, 'plans', next.planId);
    expect(stack.simulator.requests.at(-1)?.headers.authorization).toBe(`Bearer ${appKey}`);
    expect(keySourceOf(stack, 'plans', next.planId)).toBe('app');
    // Stored again, for the plaintext test below.
    await user.client.account.setProviderKey.mutate({ provider: 'openrouter', key: userKey });
  });

  it('answers UNAUTHORIZED on account key procedures without a signed-in caller, FORBIDDEN on the admin one for a user', async () => {
    const anonymous = createClient(stack.url, null);
    const attempt = anonymous.account.setProviderKey.mutate({
      provider: 'openrouter',
      key: userKey,
    });
    await expect(attempt).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(anonymous.account.listProviderKeys.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
    const user = await createUser(stack);
    await expect(
      user.client.admin.setProviderKey.mutate({ provider: 'openrouter', key: userKey }),
    ).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });

  it('refuses a malformed key with a field error that does not repeat it', async () => {
    const pasted = `${appKey.slice(0, 20)} ${appKey.slice(20)}`;
    let error: unknown;
    try {
      await stack.client.admin.setProviderKey.mutate({ provider: 'openrouter', key: pasted });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { key: [expect.stringContaining('no spaces')] },
    });
    expectNoKey(JSON.stringify(error), 'the error');
    await expect(
      stack.client.admin.setProviderKey.mutate({ provider: 'acme' as 'openai', key: appKey }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  it('leaves no key in plaintext in the database file, its WAL and shared memory, nor in the logs', async () => {
    const files = ['', '-wal', '-shm'].map((suffix) => `${stack.databasePath}${suffix}`);
    expect(existsSync(files[1] ?? '')).toBe(true);
    // Both keys were written: they must be in the database, only encrypted.
    const db = new Database(stack.databasePath, { readonly: true });
    expect(db.prepare('select count(*) as count from provider_keys').get()).toEqual({ count: 2 });
    db.close();
    for (const file of files) {
      if (existsSync(file)) expectNoKey(readFileSync(file).toString('latin1'), file);
    }
    expect(logLines.length).toBeGreaterThan(0);
    expectNoKey(logLines.join(''), 'the log');
  });

  it('censors credential fields wherever a log line carries them', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    logger.info({ request: { model: 'm', apiKey: appKey }, input: { key: userKey } }, 'a request');
    logger.child({ apiKey: appKey }).info({ headers: { authorization: `Bearer ${userKey}` } }, 'x');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('[redacted]');
    expectNoKey(lines.join(''), 'the log');
  });
});

describe('provider keys without ENCRYPTION_KEY', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('starts, runs keyless on its default upstream, and says how to enable stored keys', async () => {
    const attempt = stack.client.admin.setProviderKey.mutate({
      provider: 'openrouter',
      key: appKey,
    });
    await expect(attempt).rejects.toMatchObject({
      data: { code: 'PRECONDITION_FAILED' },
      message: expect.stringMatching(
        /^Set ENCRYPTION_KEY to store provider keys: .*openssl rand -base64 32/,
      ),
    });
    const { planId } = await stack.client.plan.create.mutate({ goals: 'learn to sail' });
    await finished(stack, 'plans', planId);
    expect(stack.simulator.requests.at(-1)?.headers.authorization).toBeUndefined();
    expect(keySourceOf(stack, 'plans', planId)).toBe('simulator');
  });
});
