import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simulator, type SimulatorOptions, startSimulator } from '@sluice/simulator';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import pino from 'pino';
import { createServerApp, type ServerApp, type ServerAppOptions } from '../../src/app';
import { loadConfig, type ServerConfig } from '../../src/env';
import type { AppRouter } from '../../src/routers/app-router';
import {
  observeServedSubscriptions,
  registerClient,
  registerServer,
  type ServedSubscriptions,
} from './served-subscriptions';

export type SluiceClient = TRPCClient<AppRouter>;

/** How a test client proves who it is: an API key (Bearer) or a session cookie, or nothing. */
export type TestCredentials = { apiKey: string } | { cookie: string } | null;

/** The first user's API key per server URL, so helpers given only a URL act as that user. */
const defaultApiKeys = new Map<string, string>();
/** The first user per database directory: a restarted stack signs in as the same user. */
const firstUsers = new Map<string, { user: TestUser; apiKey: string; cookie: string }>();

/** The headers that carry `credentials` (for raw requests). */
export function credentialHeaders(credentials: TestCredentials): Record<string, string> {
  if (!credentials) return {};
  return 'apiKey' in credentials
    ? { authorization: `Bearer ${credentials.apiKey}` }
    : { cookie: credentials.cookie };
}

/** The latest running stack's first user, for URLs no stack listens on (a proxy in front). */
let latestApiKey: string | undefined;

/** The stack's first user (the admin), for helpers that only know the server's URL. */
export function defaultCredentialsFor(baseUrl: string): TestCredentials {
  const apiKey = defaultApiKeys.get(new URL(baseUrl).origin) ?? latestApiKey;
  return apiKey ? { apiKey } : null;
}

/**
 * A real client. Without `credentials` it acts as the stack's first user (the admin); pass
 * `null` for an anonymous one. The key (or cookie) goes on every batch request and on the
 * SSE request of every subscription, reconnects included (the eventsource polyfill's fetch).
 */
export function createClient(
  baseUrl: string,
  credentials: TestCredentials = defaultCredentialsFor(baseUrl),
): SluiceClient {
  const url = `${baseUrl}/trpc`;
  const headers = credentialHeaders(credentials);
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
          }),
        }),
        // The server refuses batches over MAX_BATCH_SIZE (default 50).
        false: httpBatchLink({ url, headers, maxItems: 20 }),
      }),
    ],
  });
  // Lets the subscription helpers find the server's own record of its subscriptions.
  registerClient(client, baseUrl);
  return client;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
}

export interface CreatedUser {
  user: TestUser;
  /** An API key of the user's (`account.createApiKey`). */
  apiKey: string;
  /** The session cookie from sign-up (`name=value; name2=value2`), for a browser context. */
  cookie: string;
  /** A client authenticated with the API key. */
  client: SluiceClient;
}

let userCounter = 0;

/** Signs up through Better Auth's route (as a browser would) and answers the session cookie. */
export async function signUp(
  baseUrl: string,
  account: { email: string; password?: string; name?: string },
): Promise<{ user: TestUser; cookie: string }> {
  const response = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(baseUrl).origin },
    body: JSON.stringify({
      email: account.email,
      password: account.password ?? 'correct horse battery staple',
      name: account.name ?? account.email.split('@')[0],
    }),
  });
  if (!response.ok) {
    throw new Error(
      `Sign-up of ${account.email} answered ${response.status}: ${await response.text()}`,
    );
  }
  const body = (await response.json()) as { user: TestUser };
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return { user: { id: body.user.id, email: body.user.email, name: body.user.name }, cookie };
}

/** A new user on the stack's server with an API key and a client that uses it. */
export async function createUser(
  stack: { url: string },
  options: { email?: string; password?: string; name?: string } = {},
): Promise<CreatedUser> {
  userCounter += 1;
  const email = options.email ?? `user-${process.pid}-${userCounter}@example.com`;
  const { user, cookie } = await signUp(stack.url, { ...options, email });
  const created = await createClient(stack.url, { cookie }).account.createApiKey.mutate({
    name: 'tests',
  });
  return {
    user,
    apiKey: created.key,
    cookie,
    client: createClient(stack.url, { apiKey: created.key }),
  };
}

export interface TestStackOptions {
  simulator?: SimulatorOptions;
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
  app?: ServerAppOptions;
  /** Reuse a database directory (for restart tests). */
  directory?: string;
  /** DATABASE_URL instead of a SQLite file in `directory` (a `postgres://` URL). */
  databaseUrl?: string;
  /**
   * Act as this existing user (made on this database earlier) instead of signing one up.
   * Without it, a stack on a `directory` whose database file is still there acts as the first
   * user it had there; on a new database (the file is gone) it signs up a new first user.
   */
  user?: Omit<CreatedUser, 'client'>;
}

export interface TestStack {
  app: ServerApp;
  simulator: Simulator;
  /** Authenticated as `admin` with an API key. */
  client: SluiceClient;
  /** The first account (the admin); on a restarted stack, the same user as before. */
  admin: CreatedUser;
  url: string;
  directory: string;
  databasePath: string;
  config: ServerConfig;
  /** The subscriptions the server has started serving (see served-subscriptions.ts). */
  served: ServedSubscriptions;
  /** Closes the app and simulator; removes the database unless `keepFiles`. */
  close(options?: { keepFiles?: boolean }): Promise<void>;
}

export const fastRetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 5,
  maxDelayMs: 20,
  maxRetryAfterMs: 2000,
};

/**
 * The engine matrix: with `SLUICE_TEST_ENGINE=postgres-redis` (the `server-postgres-redis`
 * project) every stack that names no database of its own runs on a fresh PostgreSQL
 * database in the run's private cluster and on one private Redis per test file, as one of
 * several instances would.
 */
export const testEngine =
  process.env.SLUICE_TEST_ENGINE === 'postgres-redis' ? 'postgres-redis' : 'sqlite';

let fileRedis: Promise<{ url: string }> | undefined;

async function scaleOutSettings(): Promise<{ databaseUrl: string; redisUrl: string }> {
  // Loaded only in that project: other packages' tests use this file outside it.
  const services = await import('@sluice/test-services');
  await import('@sluice/test-services/postgres-global-setup');
  const { inject } = await import('vitest');
  fileRedis ??= services.startRedis();
  const [databaseUrl, redis] = await Promise.all([
    services.createPostgresDatabase(inject('postgresUrl')),
    fileRedis,
  ]);
  return { databaseUrl, redisUrl: redis.url };
}

/** A real server on 127.0.0.1:0 with a real SQLite file and the real simulator upstream. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const scaleOut =
    testEngine === 'postgres-redis' && !options.databaseUrl && !options.directory
      ? await scaleOutSettings()
      : undefined;
  const simulator = await startSimulator({
    tokensPerSecond: 1000,
    firstTokenDelayMs: 5,
    keepAliveIntervalMs: 50,
    retryAfterSeconds: 0,
    ...options.simulator,
  });
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const databasePath = join(directory, 'sluice.db');
  // The user remembered for this directory lives in its database file: a new file has no users.
  const remembered = existsSync(databasePath) ? firstUsers.get(directory) : undefined;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl ?? scaleOut?.databaseUrl ?? databasePath,
    ...(scaleOut ? { REDIS_URL: scaleOut.redisUrl } : {}),
    OPENROUTER_BASE_URL: simulator.url,
    // The same simulator answers `anthropic:` and `openai:` models in their wire formats.
    ANTHROPIC_BASE_URL: simulator.anthropicUrl,
    OPENAI_BASE_URL: simulator.openAIUrl,
    OPENROUTER_MODEL: 'sluice/simulator',
    FLUSH_INTERVAL_MS: '50',
    LOG_LEVEL: 'silent',
    WEB_DIST_DIR: join(directory, 'no-web'),
    // Every test client comes from 127.0.0.1: the per-IP sign-up limit would refuse the users
    // tests create. Tests of that limit set it back.
    AUTH_RATE_LIMIT_PER_IP: '100000',
    // Tests start many generations as one user; the start-rate tests set it.
    RATE_LIMIT_GENERATIONS_PER_MINUTE: '0',
    ...options.env,
  });
  const app = await createServerApp(config, {
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    retryPolicy: fastRetryPolicy,
    ...options.app,
  });
  const served = observeServedSubscriptions(app);
  const url = await app.listen();
  const unregister = registerServer(url, served);
  const known = options.user ?? remembered;
  const admin: CreatedUser = known
    ? { ...known, client: createClient(url, { apiKey: known.apiKey }) }
    : await createUser({ url }, { email: `admin-${process.pid}-${userCounter + 1}@example.com` });
  firstUsers.set(directory, { user: admin.user, apiKey: admin.apiKey, cookie: admin.cookie });
  defaultApiKeys.set(new URL(url).origin, admin.apiKey);
  latestApiKey = admin.apiKey;
  return {
    app,
    simulator,
    client: admin.client,
    admin,
    url,
    directory,
    databasePath,
    config,
    served,
    async close(closeOptions = {}) {
      unregister();
      await app.close();
      await simulator.close();
      defaultApiKeys.delete(new URL(url).origin);
      if (latestApiKey === admin.apiKey) latestApiKey = undefined;
      if (!closeOptions.keepFiles && !options.directory)
        rmSync(directory, { recursive: true, force: true });
    },
  };
}
