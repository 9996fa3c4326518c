import { type RunningRedis, startRedis } from '@sluice/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnections, type RedisConnections } from './redis-connections';
import { createRedisGenerationWatchers } from './redis-generation-watchers';

let redis: RunningRedis;
const opened: RedisConnections[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((connections) => connections.close()));
  await redis?.stop();
});

function instance(instanceId: string, now?: () => number) {
  const connections = createRedisConnections(redis.url);
  opened.push(connections);
  return createRedisGenerationWatchers({
    redis: connections.commands,
    prefix: 'test:',
    instanceId,
    ttlMs: 60_000,
    now,
  });
}

describe('watchers counted over every instance', () => {
  it('counts a generation watched only from another instance as watched, until released', async () => {
    const owner = instance('owner');
    const other = instance('other');
    expect(await owner.watchedElsewhere('g1')).toBe(false);
    const releaseFirst = other.watch('g1');
    const releaseSecond = other.watch('g1');
    await other.settled();
    expect(await owner.watchedElsewhere('g1')).toBe(true);
    releaseFirst();
    await other.settled();
    expect(await owner.watchedElsewhere('g1')).toBe(true);
    releaseSecond();
    releaseSecond();
    await other.settled();
    expect(await owner.watchedElsewhere('g1')).toBe(false);
    expect(other.watchedHere).toBe(0);
  });

  it('does not count the asking instance itself', async () => {
    const owner = instance('self');
    const release = owner.watch('g2');
    await owner.settled();
    expect(await owner.watchedElsewhere('g2')).toBe(false);
    release();
  });

  it('stops counting an instance that stopped renewing (it died)', async () => {
    let clock = 1_000_000;
    const owner = instance('owner-clock', () => clock);
    const dying = instance('dying', () => clock);
    dying.watch('g3');
    await dying.settled();
    expect(await owner.watchedElsewhere('g3')).toBe(true);
    clock += 60_001;
    expect(await owner.watchedElsewhere('g3')).toBe(false);
    dying.close();
  });
});
