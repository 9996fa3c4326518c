import type { Redis } from 'ioredis';

export interface RedisGenerationWatchersOptions {
  redis: Redis;
  prefix: string;
  instanceId: string;
  /** A watch not renewed for this long no longer counts (its instance died). */
  ttlMs: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * Who watches a generation, over every instance. Each instance counts its own watchers of
 * a generation and, while it has any, keeps one entry in the generation's sorted set
 * (member: the instance, score: when the entry lapses), renewed every third of the TTL.
 * The owner asks before it abandons a generation nobody watches locally.
 */
export function createRedisGenerationWatchers(options: RedisGenerationWatchersOptions) {
  const { redis, prefix, instanceId, ttlMs } = options;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => {});
  const counts = new Map<string, number>();
  const keyOf = (generationId: string) => `${prefix}watchers:${generationId}`;
  /** The last write sent: writes on one connection run in order, so awaiting it awaits all. */
  let lastWrite: Promise<unknown> = Promise.resolve();
  const track = (write: Promise<unknown>) => {
    lastWrite = write.catch(onError);
  };

  function renew(generationIds: Iterable<string>): void {
    const pipeline = redis.pipeline();
    const lapsesAt = now() + ttlMs;
    for (const generationId of generationIds) {
      pipeline.zadd(keyOf(generationId), lapsesAt, instanceId);
      pipeline.pexpire(keyOf(generationId), ttlMs);
    }
    if (pipeline.length > 0) track(pipeline.exec());
  }

  const timer = setInterval(() => renew(counts.keys()), Math.max(1, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    /** Counts one watcher here until the returned function is called. */
    watch(generationId: string): () => void {
      const count = counts.get(generationId) ?? 0;
      counts.set(generationId, count + 1);
      if (count === 0) renew([generationId]);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (counts.get(generationId) ?? 1) - 1;
        if (left > 0) {
          counts.set(generationId, left);
          return;
        }
        counts.delete(generationId);
        track(redis.zrem(keyOf(generationId), instanceId));
      };
    },
    /** Whether an instance other than this one watches the generation now. */
    async watchedElsewhere(generationId: string): Promise<boolean> {
      const members = await redis.zrangebyscore(keyOf(generationId), now(), '+inf');
      return members.some((member) => member !== instanceId);
    },
    /** Resolves once Redis has every watch and release made so far. */
    async settled(): Promise<void> {
      await lastWrite;
    },
    /** Generations watched here. */
    get watchedHere(): number {
      return counts.size;
    },
    close(): void {
      clearInterval(timer);
      const pipeline = redis.pipeline();
      for (const generationId of counts.keys()) pipeline.zrem(keyOf(generationId), instanceId);
      counts.clear();
      if (pipeline.length > 0) track(pipeline.exec());
    },
  };
}

export type RedisGenerationWatchers = ReturnType<typeof createRedisGenerationWatchers>;
