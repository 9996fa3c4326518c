import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerApp, type ServerApp } from '../src/app';
import { loadConfig } from '../src/env';
import type { AppRouter } from '../src/routers/app-router';
import { startCuttingProxy } from './support/cutting-proxy';
import {
  createClient,
  createUser,
  signUp,
  startTestStack,
  type TestStack,
} from './support/test-stack';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stackWith(env: Record<string, string> = {}): Promise<TestStack> {
  const stack = await startTestStack({ env });
  cleanups.push(() => stack.close());
  return stack;
}

/** A server on a fresh database with no account yet. */
async function emptyServer(): Promise<{ app: ServerApp; url: string; databasePath: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-accounts-'));
  const databasePath = join(directory, 'sluice.db');
  const app = await createServerApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databasePath,
      LOG_LEVEL: 'silent',
      WEB_DIST_DIR: join(directory, 'no-web'),
      AUTH_RATE_LIMIT_PER_IP: '1000',
    }),
    { logger: pino({ level: 'silent' }) },
  );
  const url = await app.listen();
  cleanups.push(async () => {
    await app.close();
    rmSync(directory, { recursive: true, force: true });
  });
  return { app, url, databasePath };
}

function signIn(
  url: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return fetch(`${url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...headers },
    body: JSON.stringify({ email, password }),
  });
}

async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof TRPCClientError ? error.data?.code : 'resolved';
}

describe('the first account', () => {
  it('is the admin, even when two sign up at the same moment, and takes the rows from before accounts', async () => {
    const { url, databasePath } = await emptyServer();
    const anonymous = createClient(url, null);
    expect(await anonymous.system.info.query()).toMatchObject({
      needsSetup: true,
      allowSignUp: true,
    });
    // A plan written before accounts existed (no owner).
    const connection = new SQLite(databasePath);
    const now = new Date().toISOString();
    connection
      .prepare(
        "insert into plan_inputs (id, goals, preferences, created_at) values ('i0', 'old goals', '{}', ?)",
      )
      .run(now);
    connection
      .prepare(
        "insert into plans (id, input_id, status, model, created_at, updated_at) values ('p0', 'i0', 'completed', 'm', ?, ?)",
      )
      .run(now, now);
    connection.close();

    const [first, second] = await Promise.all([
      createUser({ url }, { email: 'first@example.com' }),
      createUser({ url }, { email: 'second@example.com' }),
    ]);
    const roles = await Promise.all([
      first.client.account.me.query(),
      second.client.account.me.query(),
    ]);
    expect(roles.map((me) => me.role).sort()).toEqual(['admin', 'user']);
    const admin = roles[0]?.role === 'admin' ? first : second;
    const user = admin === first ? second : first;
    expect((await admin.client.plan.list.query({})).items.map((plan) => plan.id)).toEqual(['p0']);
    expect((await user.client.plan.list.query({})).items).toEqual([]);
    expect(await anonymous.system.info.query()).toMatchObject({ needsSetup: false });
  });
});

describe('sign-up', () => {
  it('closes to newcomers when the admin says so, and opens again', async () => {
    const stack = await stackWith();
    expect(await codeOf(createUser(stack).then((user) => user.client.admin.settings.query()))).toBe(
      'FORBIDDEN',
    );
    await stack.client.admin.updateSettings.mutate({ allowSignUp: false });
    expect(await createClient(stack.url, null).system.info.query()).toMatchObject({
      needsSetup: false,
      allowSignUp: false,
    });
    await expect(signUp(stack.url, { email: 'late@example.com' })).rejects.toThrow(/403/);
    await stack.client.admin.updateSettings.mutate({ allowSignUp: true });
    await expect(signUp(stack.url, { email: 'late@example.com' })).resolves.toBeDefined();
  });

  it('starts closed with ALLOW_SIGN_UP=false, except for the first account', async () => {
    const stack = await stackWith({ ALLOW_SIGN_UP: 'false' });
    expect((await stack.client.account.me.query()).role).toBe('admin');
    await expect(signUp(stack.url, { email: 'other@example.com' })).rejects.toThrow(/403/);
  });

  it('sets an httpOnly, SameSite=Lax session cookie, Secure when PUBLIC_URL is https', async () => {
    const plain = await stackWith();
    const secure = await stackWith({ PUBLIC_URL: 'https://sluice.example.com' });
    const cookieOf = async (url: string) => {
      const response = await signIn(url, plain.admin.user.email, 'correct horse battery staple');
      return response.headers.getSetCookie().find((line) => line.includes('session_token')) ?? '';
    };
    const plainCookie = await cookieOf(plain.url);
    expect(plainCookie).toMatch(/HttpOnly/i);
    expect(plainCookie).toMatch(/SameSite=Lax/i);
    expect(plainCookie).not.toMatch(/Secure/i);
    const secureResponse = await signIn(
      secure.url,
      secure.admin.user.email,
      'correct horse battery staple',
    );
    expect(secureResponse.headers.getSetCookie().join('\n')).toMatch(/Secure/i);
  });
});

describe('rate limits on sign-in', () => {
  it('answers 429 well before the 30th wrong password in a row from one address', async () => {
    const stack = await stackWith({
      AUTH_RATE_LIMIT_PER_IP: '10',
      AUTH_RATE_LIMIT_PER_ACCOUNT: '1000',
    });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      // Another address in X-Forwarded-For changes nothing without TRUST_PROXY.
      const response = await signIn(stack.url, `nobody${attempt}@example.com`, 'wrong password', {
        'x-forwarded-for': `10.0.0.${attempt}`,
        'x-sluice-client-ip': `10.0.1.${attempt}`,
      });
      statuses.push(response.status);
    }
    expect(statuses.indexOf(429)).toBeGreaterThan(0);
    expect(statuses.indexOf(429)).toBeLessThanOrEqual(10);
    expect(statuses.slice(statuses.indexOf(429)).every((status) => status === 429)).toBe(true);
  });

  it('limits attempts per account whatever the address (TRUST_PROXY)', async () => {
    const stack = await stackWith({
      TRUST_PROXY: 'true',
      AUTH_RATE_LIMIT_PER_IP: '3',
      AUTH_RATE_LIMIT_PER_ACCOUNT: '5',
    });
    // Signing up is the account's first attempt of five.
    const { user } = await signUp(stack.url, { email: 'victim@example.com' });
    const email = user.email;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const response = await signIn(stack.url, email.toUpperCase(), 'wrong password', {
        'x-forwarded-for': `10.0.0.${attempt}`,
      });
      statuses.push(response.status);
    }
    // Each attempt comes from a new address (so the per-IP limit of 3 never applies):
    // the account's limit of 5 does (sign-up and four sign-ins), whatever the email's case.
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4).every((status) => status === 429)).toBe(true);
  });
});

describe('API keys', () => {
  it('lists keys by their start only, and refuses a revoked key at once, an open stream at its reconnect', async () => {
    const stack = await stackWith();
    const user = await createUser(stack);
    const created = await user.client.account.createApiKey.mutate({ name: 'laptop' });
    expect(created.key).toMatch(/^sk-sluice-[A-Za-z0-9_-]{43}$/);
    const listed = await user.client.account.listApiKeys.query();
    expect(listed.map((key) => key.name).sort()).toEqual(['laptop', 'tests']);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed.find((key) => key.id === created.id)?.start).toBe(created.key.slice(0, 16));

    const proxy = await startCuttingProxy(new URL(stack.url));
    cleanups.push(() => proxy.close());
    const viaProxy = createClient(proxy.url, { apiKey: created.key });
    const { planId } = await viaProxy.plan.create.mutate({ goals: 'Learn to draw' });
    const ended = new Promise<unknown>((resolve) => {
      let opened = false;
      const subscription = viaProxy.plan.events.subscribe(
        { planId },
        {
          onStarted() {
            if (opened) return;
            opened = true;
            // Revoke while the stream is open, then cut it: the reconnect carries a dead key.
            user.client.account.revokeApiKey.mutate({ id: created.id }).then(() => proxy.cutAll());
          },
          onError(error) {
            subscription.unsubscribe();
            resolve(error);
          },
          onComplete() {
            resolve('completed');
          },
        },
      );
    });
    const error = await ended;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    expect(await codeOf(createClient(stack.url, { apiKey: created.key }).plan.list.query({}))).toBe(
      'UNAUTHORIZED',
    );
    // The user's other key still works; a wrong Bearer never falls back to a cookie.
    expect((await user.client.account.me.query()).email).toBe(user.user.email);
    const both = createClient(stack.url, { apiKey: 'sk-sluice-wrong' });
    expect(await codeOf(both.account.me.query())).toBe('UNAUTHORIZED');
  });
});
