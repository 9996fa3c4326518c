import { performance } from 'node:perf_hooks';
import { startRedis } from '@sluice/test-services';
import { Redis } from 'ioredis';

/** Events of one generation: token-sized text deltas, as the engine publishes them. */
const eventCount = 4_000;
const burst = 20;
const catchUpReads = 50;
/** The pub/sub + database design catches up from content flushed this often (FLUSH_INTERVAL_MS). */
const flushIntervalMs = 250;
const joins = 40;

interface LiveFigures {
  design: string;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

function payload(index: number, sentAt: number): string {
  return JSON.stringify({
    id: `${index * 5}.0`,
    sequence: index * 5,
    generationId: 'bench-generation',
    event: { type: 'text-delta', text: 'word ' },
    sentAt,
  });
}

/** Publishes in bursts (one per macrotask) so that the receiver runs in between, as in a server. */
async function publishAll(send: (index: number) => void): Promise<void> {
  for (let index = 1; index <= eventCount; index += burst) {
    for (let offset = 0; offset < burst && index + offset <= eventCount; offset++)
      send(index + offset);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function figures(design: string, latencies: number[], elapsedMs: number): LiveFigures {
  const sorted = latencies.sort((a, b) => a - b);
  return {
    design,
    eventsPerSecond: Math.round((eventCount / elapsedMs) * 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

async function measurePubSub(url: string, withStream: boolean): Promise<LiveFigures> {
  const publisher = new Redis(url);
  const subscriber = new Redis(url);
  const channel = `bench:${withStream ? 'both' : 'pubsub'}`;
  const key = `${channel}:stream`;
  await subscriber.subscribe(channel);
  const latencies: number[] = [];
  const started = performance.now();
  const received = new Promise<void>((resolve) => {
    subscriber.on('message', (_channel: string, message: string) => {
      latencies.push(performance.now() - (JSON.parse(message) as { sentAt: number }).sentAt);
      if (latencies.length === eventCount) resolve();
    });
  });
  await publishAll((index) => {
    const message = payload(index, performance.now());
    if (!withStream) {
      publisher.publish(channel, message);
      return;
    }
    const pipeline = publisher.pipeline().xadd(key, '*', 'm', message);
    if (index === 1) pipeline.pexpire(key, 60_000);
    pipeline.publish(channel, message).exec();
  });
  await received;
  const elapsed = performance.now() - started;
  publisher.disconnect();
  subscriber.disconnect();
  return figures(
    withStream ? 'pub/sub + a stream per generation (chosen)' : 'pub/sub only',
    latencies,
    elapsed,
  );
}

async function measureStreamRead(url: string): Promise<LiveFigures> {
  const publisher = new Redis(url);
  const reader = new Redis(url);
  const key = 'bench:xread:stream';
  const latencies: number[] = [];
  const started = performance.now();
  const reading = (async () => {
    let last = '0';
    while (latencies.length < eventCount) {
      const result = (await reader.xread('BLOCK', 0, 'STREAMS', key, last)) as Array<
        [string, Array<[string, string[]]>]
      > | null;
      for (const [, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          latencies.push(
            performance.now() - (JSON.parse(fields[1] as string) as { sentAt: number }).sentAt,
          );
          last = id;
        }
      }
    }
  })();
  await publishAll((index) => {
    publisher.xadd(key, '*', 'm', payload(index, performance.now()));
  });
  await reading;
  const elapsed = performance.now() - started;
  publisher.disconnect();
  reader.disconnect();
  return figures('a stream per generation, XREAD BLOCK', latencies, elapsed);
}

async function measureCatchUp(url: string): Promise<{ medianMs: number; entries: number }> {
  const redis = new Redis(url);
  const key = 'bench:both:stream';
  const times: number[] = [];
  let entries = 0;
  for (let run = 0; run < catchUpReads; run++) {
    const started = performance.now();
    entries = (await redis.xrange(key, '-', '+')).length;
    times.push(performance.now() - started);
  }
  redis.disconnect();
  return {
    medianMs: percentile(
      times.sort((a, b) => a - b),
      0.5,
    ),
    entries,
  };
}

/**
 * The pub/sub + database design: a subscriber joining mid-stream subscribes, then reads the
 * content saved so far. Saved content trails the stream by up to one flush interval, so the
 * events published between the last flush and the subscription reach it from neither side.
 * Replays a generation at the simulator's 40 tokens per second with a flush every 250 ms
 * and counts, over evenly spread joins, those that would miss events.
 */
function measureDatabaseCatchUpGaps(): { inexact: number; missedMedian: number } {
  const tokensPerSecond = 40;
  const durationMs = 20_000;
  let inexact = 0;
  const missed: number[] = [];
  for (let join = 0; join < joins; join++) {
    // Spread over the stream, off the flush ticks (a join lands anywhere between two flushes).
    const joinAtMs = (join * durationMs) / joins + ((join * 37) % flushIntervalMs);
    const published = Math.floor((joinAtMs * tokensPerSecond) / 1000);
    const lastFlushMs = Math.floor(joinAtMs / flushIntervalMs) * flushIntervalMs;
    const saved = Math.floor((lastFlushMs * tokensPerSecond) / 1000);
    if (published > saved) inexact += 1;
    missed.push(published - saved);
  }
  return {
    inexact,
    missedMedian: percentile(
      missed.sort((a, b) => a - b),
      0.5,
    ),
  };
}

/**
 * `pnpm bench` (Redis bus): live delivery of one generation's events to another connection
 * (another instance) through pub/sub, pub/sub plus a stream, and XREAD BLOCK on a stream;
 * then what a subscriber joining mid-stream can catch up from.
 */
export async function runRedisBusBench(): Promise<void> {
  const redis = await startRedis();
  try {
    const live = [
      await measurePubSub(redis.url, false),
      await measurePubSub(redis.url, true),
      await measureStreamRead(redis.url),
    ];
    console.log(
      `\nRedis bus: ${eventCount} text-delta events of one generation, published in bursts of ${burst}, received on another connection`,
    );
    console.table(
      live.map((row) => ({
        design: row.design,
        'events/s': row.eventsPerSecond,
        'latency p50 (ms)': row.p50Ms.toFixed(2),
        'latency p99 (ms)': row.p99Ms.toFixed(2),
      })),
    );
    const catchUp = await measureCatchUp(redis.url);
    const gaps = measureDatabaseCatchUpGaps();
    console.log('Catching up a subscriber that joins mid-stream (on another instance)');
    console.table([
      {
        from: `the generation's stream (XRANGE, ${catchUp.entries} entries)`,
        'read (ms, median)': catchUp.medianMs.toFixed(2),
        'joins that miss events': `0 of ${joins}`,
      },
      {
        from: `the database (content flushed every ${flushIntervalMs} ms)`,
        'read (ms, median)': 'one row (modelled: 40 tokens/s)',
        'joins that miss events': `${gaps.inexact} of ${joins} (median ${gaps.missedMedian} tokens)`,
      },
    ]);
  } finally {
    await redis.stop();
  }
}
