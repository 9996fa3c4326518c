import { mkdtempSync, rmSync } from 'node:fs';
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

export function createClient(baseUrl: string): SluiceClient {
  const url = `${baseUrl}/trpc`;
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource }),
        // Like the web app and the CLI: below the server's MAX_BATCH_SIZE.
        false: httpBatchLink({ url, maxItems: 20 }),
      }),
    ],
  });
  // Lets the subscription helpers find the server's own record of its subscriptions.
  registerClient(client, baseUrl);
  return client;
}

export interface TestStackOptions {
  simulator?: SimulatorOptions;
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
  app?: ServerAppOptions;
  /** Reuse a database directory (for restart tests). */
  directory?: string;
}

export interface TestStack {
  app: ServerApp;
  simulator: Simulator;
  client: SluiceClient;
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

/** A real server on 127.0.0.1:0 with a real SQLite file and the real simulator upstream. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const simulator = await startSimulator({
    tokensPerSecond: 1000,
    firstTokenDelayMs: 5,
    keepAliveIntervalMs: 50,
    retryAfterSeconds: 0,
    ...options.simulator,
  });
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const databasePath = join(directory, 'sluice.db');
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databasePath,
    OPENROUTER_BASE_URL: simulator.url,
    OPENROUTER_MODEL: 'sluice/simulator',
    FLUSH_INTERVAL_MS: '50',
    LOG_LEVEL: 'silent',
    WEB_DIST_DIR: join(directory, 'no-web'),
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
  return {
    app,
    simulator,
    client: createClient(url),
    url,
    directory,
    databasePath,
    config,
    served,
    async close(closeOptions = {}) {
      unregister();
      await app.close();
      await simulator.close();
      if (!closeOptions.keepFiles && !options.directory)
        rmSync(directory, { recursive: true, force: true });
    },
  };
}
