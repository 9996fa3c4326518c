import { type RunningRedis, startRedis } from '@sluice/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisChannelListener } from './redis-channel-listener';
import { createRedisConnections, type RedisConnections } from './redis-connections';
import { createRedisEventBus, type RedisEventBus } from './redis-event-bus';

interface Message {
  generationId: string;
  sequence: number;
  type: 'text' | 'end';
}

let redis: RunningRedis;
const opened: RedisConnections[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((connections) => connections.close()));
  await redis?.stop();
});

/** One instance's bus: its own two connections, as a separate process would have. */
function instanceBus(prefix = 'test:'): RedisEventBus<Message> & { connections: RedisConnections } {
  const connections = createRedisConnections(redis.url);
  opened.push(connections);
  const bus = createRedisEventBus<Message>({
    publisher: connections.commands,
    channels: createRedisChannelListener(connections.subscriber),
    prefix,
    history: {
      streamOf: (message) => message.generationId,
      isLast: (message) => message.type === 'end',
      lifetimeMs: 600_000,
      retainMs: 5_000,
    },
  });
  return Object.assign(bus, { connections });
}

function nextMessages(bus: RedisEventBus<Message>, topic: string, count: number) {
  const received: Message[] = [];
  return new Promise<Message[]>((resolve) => {
    const unsubscribe = bus.subscribe(topic, (message) => {
      received.push(message);
      if (received.length === count) {
        unsubscribe();
        resolve(received);
      }
    });
  });
}

describe('the Redis event bus', () => {
  it('delivers what one instance publishes to subscribers on another', async () => {
    const a = instanceBus();
    const b = instanceBus();
    const arrived = nextMessages(b, 'plan:1', 2);
    await b.subscribed('plan:1');
    a.publish('plan:1', { generationId: 'g1', sequence: 1, type: 'text' });
    a.publish('plan:1', { generationId: 'g1', sequence: 2, type: 'end' });
    expect((await arrived).map((message) => message.sequence)).toEqual([1, 2]);
  });

  it('loses and repeats nothing for a subscriber that joins mid-stream: history, then live', async () => {
    const a = instanceBus();
    const b = instanceBus();
    const total = 2000;
    let published = 0;
    const publishSome = () => {
      for (let index = 0; index < 50 && published < total; index++) {
        published += 1;
        a.publish('plan:2', {
          generationId: 'g2',
          sequence: published,
          type: published === total ? 'end' : 'text',
        });
      }
    };
    // The publisher keeps going while the subscriber joins.
    const publishing = new Promise<void>((resolve) => {
      const step = () => {
        publishSome();
        if (published < total) setImmediate(step);
        else resolve();
      };
      step();
    });
    const live: Message[] = [];
    let ended: () => void = () => {};
    const liveEnded = new Promise<void>((resolve) => {
      ended = resolve;
    });
    while (published < total / 4) await new Promise((resolve) => setImmediate(resolve));
    b.subscribe('plan:2', (message) => {
      live.push(message);
      if (message.type === 'end') ended();
    });
    await b.subscribed('plan:2');
    const history = (await b.history('g2')) ?? [];
    await publishing;
    await liveEnded;
    expect(history.length).toBeGreaterThan(0);
    // Joined after a quarter: the rest came live.
    expect(live[0]?.sequence).toBeGreaterThan(1);
    const last = history.at(-1)?.sequence ?? 0;
    const combined = [...history, ...live.filter((message) => message.sequence > last)];
    expect(combined.map((message) => message.sequence)).toEqual(
      Array.from({ length: total }, (_, index) => index + 1),
    );
  });

  it('keeps a stream while it runs and trims it a while after its last message', async () => {
    const a = instanceBus();
    a.publish('plan:3', { generationId: 'g3', sequence: 1, type: 'text' });
    a.publish('plan:3', { generationId: 'g3', sequence: 2, type: 'text' });
    expect((await a.history('g3'))?.map((message) => message.sequence)).toEqual([1, 2]);
    const running = await a.connections.commands.pttl('test:stream:g3');
    expect(running).toBeGreaterThan(5_000);
    a.publish('plan:3', { generationId: 'g3', sequence: 3, type: 'end' });
    expect((await a.history('g3'))?.length).toBe(3);
    const ended = await a.connections.commands.pttl('test:stream:g3');
    expect(ended).toBeGreaterThan(0);
    expect(ended).toBeLessThanOrEqual(5_000);
    await a.forget('g3');
    expect(await a.history('g3')).toBeUndefined();
  });

  it('records into the history without delivering live', async () => {
    const a = instanceBus();
    const b = instanceBus();
    const arrived = nextMessages(b, 'plan:4', 1);
    await b.subscribed('plan:4');
    a.record({ generationId: 'g4', sequence: 1, type: 'text' });
    a.publish('plan:4', { generationId: 'g4', sequence: 2, type: 'text' });
    expect((await arrived).map((message) => message.sequence)).toEqual([2]);
    expect((await b.history('g4'))?.map((message) => message.sequence)).toEqual([1, 2]);
  });

  it('stops delivering after unsubscribe and keeps other subscribers of the topic', async () => {
    const a = instanceBus();
    const b = instanceBus();
    const first: Message[] = [];
    let firstArrived: () => void = () => {};
    const firstMessage = new Promise<void>((resolve) => {
      firstArrived = resolve;
    });
    const unsubscribeFirst = b.subscribe('plan:5', (message) => {
      first.push(message);
      firstArrived();
    });
    const second = nextMessages(b, 'plan:5', 2);
    await b.subscribed('plan:5');
    a.publish('plan:5', { generationId: 'g5', sequence: 1, type: 'text' });
    await firstMessage;
    unsubscribeFirst();
    a.publish('plan:5', { generationId: 'g5', sequence: 2, type: 'text' });
    expect((await second).map((message) => message.sequence)).toEqual([1, 2]);
    expect(first.map((message) => message.sequence)).toEqual([1]);
  });
});
