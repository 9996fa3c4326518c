import type { DatabaseConnection, Driver } from 'kysely';
import { describe, expect, it } from 'vitest';
import { queueConnections } from './queued-sqlite-dialect';

/** A driver with one connection that records how many callers wait for it at once. */
function recordingDriver() {
  const connection = {} as DatabaseConnection;
  let busy = false;
  const waiters: Array<() => void> = [];
  const seen = { maxWaiting: 0, acquired: [] as number[] };
  const driver: Driver = {
    init: async () => {},
    async acquireConnection() {
      while (busy) {
        seen.maxWaiting = Math.max(seen.maxWaiting, waiters.length + 1);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      busy = true;
      return connection;
    },
    async releaseConnection() {
      busy = false;
      // Like Kysely's mutex: wake everyone, let them race.
      for (const wake of waiters.splice(0)) wake();
    },
    beginTransaction: async () => {},
    commitTransaction: async () => {},
    rollbackTransaction: async () => {},
    destroy: async () => {},
  };
  return { driver, seen };
}

async function useConcurrently(driver: Driver, count: number): Promise<number[]> {
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const connection = await driver.acquireConnection();
      order.push(index);
      await Promise.resolve();
      await driver.releaseConnection(connection);
    }),
  );
  return order;
}

describe('queueConnections', () => {
  it('lets at most one caller wait on the inner driver, however many queue', async () => {
    const bare = recordingDriver();
    await useConcurrently(bare.driver, 100);
    expect(bare.seen.maxWaiting).toBeGreaterThan(50);

    const queued = recordingDriver();
    await useConcurrently(queueConnections(queued.driver), 100);
    expect(queued.seen.maxWaiting).toBeLessThanOrEqual(1);
  });

  it('hands the connection out first come, first served, one holder at a time', async () => {
    const { driver } = recordingDriver();
    const order = await useConcurrently(queueConnections(driver), 50);
    expect(order).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it('passes the connection on when a release fails', async () => {
    const { driver } = recordingDriver();
    const failing: Driver = {
      ...driver,
      async releaseConnection(connection) {
        await driver.releaseConnection(connection);
        throw new Error('release failed');
      },
    };
    const queued = queueConnections(failing);
    const first = await queued.acquireConnection();
    const second = queued.acquireConnection();
    await expect(queued.releaseConnection(first)).rejects.toThrow('release failed');
    await expect(second).resolves.toBe(first);
  });
});
