import { describe, expect, it } from 'vitest';
import { createInProcessEventBus, type EventBus } from './event-bus';
import type { GenerationEvent, GenerationMessage, LiveGeneration } from './generation-engine';
import { type ObservedMessage, observeGeneration } from './observe-generation';
import { createStreamLog } from './stream-log';

type Message = GenerationMessage<never>;

function countingBus() {
  const bus = createInProcessEventBus<Message>();
  const counts = { subscribed: 0, unsubscribed: 0 };
  const counting: EventBus<Message> = {
    publish: (topic, message) => bus.publish(topic, message),
    subscribe(topic, listener) {
      counts.subscribed += 1;
      const unsubscribe = bus.subscribe(topic, listener);
      return () => {
        counts.unsubscribed += 1;
        unsubscribe();
      };
    },
  };
  return { bus: counting, counts };
}

function liveGeneration() {
  const log = createStreamLog<GenerationEvent<never>>();
  let watchers = 0;
  const generation: LiveGeneration<never> = {
    id: 'generation-1',
    log,
    document: undefined,
    done: new Promise(() => {}),
    attach() {
      watchers += 1;
      return () => {
        watchers -= 1;
      };
    },
  };
  return { generation, log, watchers: () => watchers };
}

describe('observeGeneration piped', () => {
  it('writes each live event to every caught-up subscriber in the publish call, through one bus listener', () => {
    const { bus, counts } = countingBus();
    const { generation, log, watchers } = liveGeneration();
    const publish = (message: ReturnType<typeof log.appendText>) =>
      bus.publish('topic', { ...message, generationId: generation.id });
    publish(log.appendText('Hello, '));

    const controller = new AbortController();
    const received: Array<Array<ObservedMessage<never>>> = [[], [], []];
    let completed = 0;
    for (const messages of received) {
      observeGeneration<never>({
        bus,
        topic: 'topic',
        generationId: generation.id,
        live: () => generation,
        loadStored: () => Promise.reject(new Error('not stored')),
        lastEventId: null,
        signal: controller.signal,
      }).pipe({
        next: (message) => messages.push(message),
        complete: () => {
          completed += 1;
        },
        error: (error) => {
          throw error;
        },
      });
    }
    expect(counts.subscribed).toBe(1);
    expect(watchers()).toBe(3);

    publish(log.appendText('world'));
    // Published again (a bus that redelivers): already sent, so dropped.
    const repeated = log.replay({ offset: 7, count: 0 })?.[0];
    if (repeated) bus.publish('topic', { ...repeated, generationId: generation.id });
    publish(log.appendEvent({ type: 'end', status: 'completed' } as GenerationEvent<never>));

    for (const messages of received) {
      expect(messages.map((message) => message.event)).toEqual([
        { type: 'snapshot', status: 'generating', content: 'Hello, ' },
        { type: 'text-delta', text: 'world' },
        { type: 'end', status: 'completed' },
      ]);
      expect(messages.map((message) => message.id)).toEqual(['7.0', '12.0', '12.1']);
    }
    expect(completed).toBe(3);
    expect(counts.unsubscribed).toBe(1);
    expect(watchers()).toBe(0);
  });

  it('stops delivering and lets go of the generation when the subscriber leaves', () => {
    const { bus, counts } = countingBus();
    const { generation, log, watchers } = liveGeneration();
    const controller = new AbortController();
    const received: string[] = [];
    observeGeneration<never>({
      bus,
      topic: 'topic',
      generationId: generation.id,
      live: () => generation,
      loadStored: () => Promise.reject(new Error('not stored')),
      lastEventId: '0.0',
      signal: controller.signal,
    }).pipe({
      next: (message) => received.push(message.id),
      complete: () => {},
      error: () => {},
    });
    bus.publish('topic', { ...log.appendText('a'), generationId: generation.id });
    controller.abort();
    bus.publish('topic', { ...log.appendText('b'), generationId: generation.id });
    expect(received).toEqual(['1.0']);
    expect(counts.unsubscribed).toBe(1);
    expect(watchers()).toBe(0);
  });
});
