import { createPostgresDatabase, type RunningRedis, startRedis } from '@sluice/test-services';
import '@sluice/test-services/postgres-global-setup';
import type { SimulatorOptions } from '@sluice/simulator';
import { inject } from 'vitest';
import { startTestStack, type TestStack, type TestStackOptions } from './test-stack';

export interface InstancesOptions {
  /** LEASE_TIMEOUT_MS of every instance. */
  leaseTimeoutMs?: number;
  simulator?: SimulatorOptions;
  env?: Record<string, string>;
}

export interface Instances {
  /** Started in order; the first signed up the admin, the others act as the same user. */
  instances: TestStack[];
  databaseUrl: string;
  redis: RunningRedis;
  /** The environment every instance shares (DATABASE_URL, REDIS_URL, LEASE_TIMEOUT_MS). */
  env: Record<string, string>;
  /** Starts one more instance on the same database and Redis (closed with the others). */
  start(options?: Omit<TestStackOptions, 'databaseUrl' | 'user'>): Promise<TestStack>;
  close(): Promise<void>;
}

/**
 * Several server instances, each with its own simulator upstream, on one private PostgreSQL
 * database (in the run's cluster) and one private Redis: what API.md "Several instances"
 * describes, in one test process.
 */
export async function startInstances(
  count: number,
  options: InstancesOptions = {},
): Promise<Instances> {
  const databaseUrl = await createPostgresDatabase(inject('postgresUrl'));
  const redis = await startRedis();
  const env = {
    REDIS_URL: redis.url,
    LEASE_TIMEOUT_MS: String(options.leaseTimeoutMs ?? 15_000),
    ...options.env,
  };
  const instances: TestStack[] = [];
  const start = async (extra: Omit<TestStackOptions, 'databaseUrl' | 'user'> = {}) => {
    const first = instances[0];
    const stack = await startTestStack({
      simulator: options.simulator,
      ...extra,
      env: { ...env, ...extra.env },
      databaseUrl,
      user: first
        ? { user: first.admin.user, apiKey: first.admin.apiKey, cookie: first.admin.cookie }
        : undefined,
    });
    instances.push(stack);
    return stack;
  };
  for (let index = 0; index < count; index++) await start();
  return {
    instances,
    databaseUrl,
    redis,
    env: { DATABASE_URL: databaseUrl, ...env },
    start,
    async close() {
      await Promise.allSettled(instances.map((stack) => stack.close()));
      await redis.stop();
    },
  };
}
