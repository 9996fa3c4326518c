import type { Redis } from 'ioredis';

/** A running generation as the lease table knows it: its kind (plan, chat) and id. */
export interface GenerationLease {
  kind: string;
  generationId: string;
  /** Where its events are published (recovery publishes its `end` there). */
  topic?: string;
}

export interface RedisGenerationLeasesOptions {
  redis: Redis;
  prefix: string;
  instanceId: string;
  /** An instance silent for this long has lost its generations (LEASE_TIMEOUT_MS). */
  leaseTimeoutMs: number;
  /**
   * Marks a dead instance's generations as lost (saved content kept, `end` published).
   * Must be safe to run twice for the same generation.
   */
  recover(leases: GenerationLease[], deadInstanceId: string): Promise<void>;
  /** This instance was presumed dead (it stalled past its lease): its generations were taken over. */
  onLost?: () => void;
  onError?: (error: unknown) => void;
}

const memberOf = (lease: GenerationLease) =>
  JSON.stringify([lease.kind, lease.generationId, lease.topic ?? null]);

function leaseOf(member: string): GenerationLease {
  const [kind, generationId, topic] = JSON.parse(member) as [string, string, string | null];
  return topic === null ? { kind, generationId } : { kind, generationId, topic };
}

/**
 * Ownership of running generations over several instances. Each instance keeps a heartbeat
 * key alive (lapsing after two thirds of the lease timeout, renewed every sixth) and a set
 * of the generations it runs; every instance sweeps every sixth of the timeout and takes
 * over the sets of instances whose heartbeat lapsed: one claims a dead instance
 * (SET NX), recovers its generations, then removes its entries. So a dead instance's
 * generations are recovered within the lease timeout, and a live one's never are.
 */
export function createRedisGenerationLeases(options: RedisGenerationLeasesOptions) {
  const { redis, prefix, instanceId, leaseTimeoutMs } = options;
  const onError = options.onError ?? (() => {});
  const heartbeatTtlMs = Math.max(3, Math.floor((leaseTimeoutMs * 2) / 3));
  const tickMs = Math.max(1, Math.floor(leaseTimeoutMs / 6));
  const instancesKey = `${prefix}instances`;
  const heartbeatKey = (instance: string) => `${prefix}instance:${instance}`;
  const ownedKey = (instance: string) => `${prefix}owned:${instance}`;
  const leaseKey = (lease: GenerationLease) => `${prefix}lease:${lease.kind}:${lease.generationId}`;
  const claimKey = (instance: string) => `${prefix}claim:${instance}`;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<GenerationLease[]> | undefined;

  async function renew(): Promise<void> {
    const renewed = await redis.set(heartbeatKey(instanceId), '1', 'PX', heartbeatTtlMs, 'XX');
    if (renewed === 'OK') return;
    // Lapsed: another instance may have taken this one's generations over already.
    await register();
    options.onLost?.();
  }

  async function register(): Promise<void> {
    await redis
      .multi()
      .set(heartbeatKey(instanceId), '1', 'PX', heartbeatTtlMs)
      .sadd(instancesKey, instanceId)
      .exec();
  }

  async function takeOver(dead: string): Promise<GenerationLease[]> {
    const claimed = await redis.set(claimKey(dead), instanceId, 'PX', leaseTimeoutMs, 'NX');
    if (claimed !== 'OK') return [];
    const leases = (await redis.smembers(ownedKey(dead))).map(leaseOf);
    if (leases.length > 0) await options.recover(leases, dead);
    const cleanup = redis.multi().del(ownedKey(dead)).srem(instancesKey, dead).del(claimKey(dead));
    for (const lease of leases) cleanup.del(leaseKey(lease));
    await cleanup.exec();
    return leases;
  }

  async function sweepOnce(): Promise<GenerationLease[]> {
    const instances = (await redis.smembers(instancesKey)).filter((id) => id !== instanceId);
    if (instances.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const instance of instances) pipeline.exists(heartbeatKey(instance));
    const alive = (await pipeline.exec()) ?? [];
    const recovered: GenerationLease[] = [];
    for (const [index, instance] of instances.entries()) {
      if (alive[index]?.[1] === 1) continue;
      recovered.push(...(await takeOver(instance)));
    }
    return recovered;
  }

  return {
    instanceId,
    /** Registers this instance, takes over expired leases once, then keeps both going. */
    async start(): Promise<GenerationLease[]> {
      await register();
      const recovered = await this.sweep();
      timer ??= setInterval(() => {
        renew().catch(onError);
        this.sweep().catch(onError);
      }, tickMs);
      timer.unref();
      return recovered;
    },
    /** Takes over the generations of every instance whose heartbeat lapsed; returns them. */
    sweep(): Promise<GenerationLease[]> {
      sweeping ??= sweepOnce().finally(() => {
        sweeping = undefined;
      });
      return sweeping;
    },
    async acquire(lease: GenerationLease): Promise<void> {
      await redis
        .multi()
        .set(leaseKey(lease), instanceId)
        .sadd(ownedKey(instanceId), memberOf(lease))
        .exec();
    },
    async release(lease: GenerationLease): Promise<void> {
      await redis.multi().del(leaseKey(lease)).srem(ownedKey(instanceId), memberOf(lease)).exec();
    },
    /** The instance running a generation, and whether it is alive; undefined when none runs it. */
    async ownerOf(
      lease: GenerationLease,
    ): Promise<{ instanceId: string; alive: boolean } | undefined> {
      const owner = await redis.get(leaseKey(lease));
      if (!owner) return undefined;
      return { instanceId: owner, alive: (await redis.exists(heartbeatKey(owner))) === 1 };
    },
    /** Stops the heartbeat and leaves the instance set (after its generations have ended). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await sweeping?.catch(() => {});
      await redis
        .multi()
        .del(heartbeatKey(instanceId))
        .srem(instancesKey, instanceId)
        .del(ownedKey(instanceId))
        .exec();
    },
  };
}

export type RedisGenerationLeases = ReturnType<typeof createRedisGenerationLeases>;
