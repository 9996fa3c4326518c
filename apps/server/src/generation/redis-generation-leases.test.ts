import { type RunningRedis, startRedis } from '@sluice/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnections, type RedisConnections } from './redis-connections';
import { createRedisGenerationLeases, type GenerationLease } from './redis-generation-leases';

let redis: RunningRedis;
const opened: RedisConnections[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((connections) => connections.close()));
  await redis?.stop();
});

interface Recovery {
  leases: GenerationLease[];
  deadInstanceId: string;
}

/** A promise and the function that settles it. */
function signal<T = void>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

function instance(
  instanceId: string,
  prefix: string,
  leaseTimeoutMs = 60_000,
  onRecover: (recovery: Recovery) => void = () => {},
) {
  const connections = createRedisConnections(redis.url);
  opened.push(connections);
  const recoveries: Recovery[] = [];
  const lost = signal();
  const leases = createRedisGenerationLeases({
    redis: connections.commands,
    prefix,
    instanceId,
    leaseTimeoutMs,
    async recover(recovered, deadInstanceId) {
      recoveries.push({ leases: recovered, deadInstanceId });
      onRecover({ leases: recovered, deadInstanceId });
    },
    onLost: () => lost.resolve(),
  });
  return Object.assign(leases, { connections, recoveries, lost: lost.promise });
}

const sortById = (leases: GenerationLease[]) =>
  [...leases].sort((a, b) => a.generationId.localeCompare(b.generationId));

describe('generation leases over several instances', () => {
  it('leaves the leases of live instances alone, also when another instance starts', async () => {
    const a = instance('a', 'live:');
    const b = instance('b', 'live:');
    await a.start();
    await b.start();
    await a.acquire({ kind: 'plan', generationId: 'p1' });
    await b.acquire({ kind: 'chat', generationId: 'm1' });
    const c = instance('c', 'live:');
    expect(await c.start()).toEqual([]);
    expect(await a.sweep()).toEqual([]);
    expect(await b.sweep()).toEqual([]);
    expect(await c.ownerOf({ kind: 'plan', generationId: 'p1' })).toEqual({
      instanceId: 'a',
      alive: true,
    });
    await a.release({ kind: 'plan', generationId: 'p1' });
    expect(await c.ownerOf({ kind: 'plan', generationId: 'p1' })).toBeUndefined();
    for (const leases of [a, b, c]) await leases.stop();
    expect(a.recoveries.concat(b.recoveries, c.recoveries)).toEqual([]);
  });

  it("takes over a dead instance's generations once, on one instance, and only those", async () => {
    const recovered = signal<Recovery>();
    const dead = instance('dead', 'dead:', 300);
    await dead.start();
    await dead.acquire({ kind: 'plan', generationId: 'p2', topic: 'plan:p2' });
    await dead.acquire({ kind: 'chat', generationId: 'm2:with-colon' });
    // The process dies: nothing renews its heartbeat (it lapses after 200 ms), nothing cleans up.
    dead.connections.commands.disconnect();
    const b = instance('b', 'dead:', 300, recovered.resolve);
    const c = instance('c', 'dead:', 300, recovered.resolve);
    await b.start();
    await b.acquire({ kind: 'plan', generationId: 'p3' });
    await c.start();
    const recovery = await recovered.promise;
    expect(recovery.deadInstanceId).toBe('dead');
    expect(sortById(recovery.leases)).toEqual([
      { kind: 'chat', generationId: 'm2:with-colon' },
      { kind: 'plan', generationId: 'p2', topic: 'plan:p2' },
    ]);
    // Sweeps after the take-over (once those in flight are done) find nothing more.
    await Promise.all([b.sweep(), c.sweep()]);
    expect(await b.sweep()).toEqual([]);
    expect(await c.sweep()).toEqual([]);
    expect(b.recoveries.length + c.recoveries.length).toBe(1);
    expect(await c.ownerOf({ kind: 'plan', generationId: 'p2' })).toBeUndefined();
    expect(await c.ownerOf({ kind: 'plan', generationId: 'p3' })).toEqual({
      instanceId: 'b',
      alive: true,
    });
    await dead.stop().catch(() => {});
    await b.stop();
    await c.stop();
  });

  it('tells an instance that stalled past its lease that it lost its generations', async () => {
    const stalled = instance('stalled', 'stall:', 300);
    await stalled.start();
    // As if its heartbeat had lapsed while its event loop was blocked.
    await stalled.connections.commands.del('stall:instance:stalled');
    await stalled.lost;
    expect(await stalled.connections.commands.exists('stall:instance:stalled')).toBe(1);
    await stalled.stop();
  });
});
