import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionMode } from './connection-fallback';
import {
  createStreamConnection,
  type StreamConnectionOptions,
  type SubscriptionHandlers,
} from './stream-connection';

type TextEvent =
  | { type: 'snapshot'; text: string }
  | { type: 'text'; text: string }
  | { type: 'end' };
interface TextView {
  text: string;
  ended: boolean;
}

/** A stream of text and the store it feeds, small enough to read the core's decisions. */
function setUp(
  options: Partial<StreamConnectionOptions<TextEvent, TextView>> & { ended?: boolean } = {},
) {
  const server = { text: '', ended: false, fetches: 0 };
  const subscriptions: Array<{
    lastEventId: string | null;
    handlers: SubscriptionHandlers<TextEvent>;
    closed: boolean;
  }> = [];
  const store = {
    text: '',
    ended: options.ended ?? false,
    connection: 'reconnecting' as ConnectionMode,
    notFound: false,
    merges: 0,
    lastEventId: null as string | null,
    pollReplacements: 0,
    apply(id: string | undefined, event: TextEvent) {
      if (event.type === 'snapshot') store.text = event.text;
      else if (event.type === 'text') store.text += event.text;
      else store.ended = true;
      if (id !== undefined) store.lastEventId = id;
    },
    setConnection(connection: ConnectionMode) {
      store.connection = connection;
    },
    setNotFound() {
      store.notFound = true;
    },
  };
  const connection = createStreamConnection<TextEvent, TextView>({
    store,
    subscribe(lastEventId, handlers) {
      const subscription = { lastEventId, handlers, closed: false };
      subscriptions.push(subscription);
      return {
        unsubscribe() {
          subscription.closed = true;
        },
      };
    },
    async fetch() {
      server.fetches += 1;
      return { text: server.text, ended: server.ended };
    },
    applyPolled(view) {
      if (view.text !== store.text) {
        store.text = view.text;
        store.lastEventId = null;
        store.pollReplacements += 1;
      }
      if (view.ended) store.ended = true;
    },
    startsOver: (event) => event.type === 'snapshot',
    ...options,
  });
  const latest = () => {
    const subscription = subscriptions.at(-1);
    if (!subscription) throw new Error('no subscription');
    return subscription;
  };
  return { server, store, connection, subscriptions, latest };
}

const ending = (onEnd?: () => void) => ({
  isEndEvent: (event: TextEvent) => event.type === 'end',
  isEndedView: (view: TextView) => view.ended,
  hasEnded: () => false,
  onEnd,
});

describe('createStreamConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens a stream that never ends again when its subscription returns', async () => {
    const { server, connection, subscriptions, latest } = setUp();
    connection.start();
    latest().handlers.onData({ id: '1', data: { type: 'text', text: 'a' } });
    latest().handlers.onComplete();
    await vi.advanceTimersByTimeAsync(500);
    expect(subscriptions).toHaveLength(2);
    expect(latest().lastEventId).toBe('1');
    expect(server.fetches).toBe(0);
    connection.stop();
  });

  it('asks once when an ending stream returns early, and ends with the answer', async () => {
    const ends: string[] = [];
    const { server, store, connection, subscriptions, latest } = setUp({
      ending: ending(() => ends.push(store.text)),
    });
    connection.start();
    server.text = 'all of it';
    server.ended = true;
    latest().handlers.onComplete();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.fetches).toBe(1);
    expect(ends).toEqual(['all of it']);
    expect(store.connection).toBe('live');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(subscriptions).toHaveLength(1);
  });

  it('stops at the end event of a stream that ends', async () => {
    const ends: number[] = [];
    const { connection, subscriptions, latest } = setUp({ ending: ending(() => ends.push(1)) });
    connection.start();
    latest().handlers.onData({ id: '1', data: { type: 'end' } });
    expect(latest().closed).toBe(true);
    expect(ends).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(subscriptions).toHaveLength(1);
  });

  it('checks a stream the store saw end once, without subscribing', async () => {
    const { server, store, connection, subscriptions } = setUp({
      ending: { ...ending(), hasEnded: () => true },
    });
    server.text = 'final';
    server.ended = true;
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(subscriptions).toHaveLength(0);
    expect(server.fetches).toBe(1);
    expect(store.text).toBe('final');
    expect(store.connection).toBe('live');
  });

  it('merges one fetch each time the subscription gets through, when it can merge', async () => {
    const { server, store, connection, latest } = setUp({
      merge: () => {
        store.merges += 1;
      },
    });
    connection.start();
    latest().handlers.onConnectionStateChange({ state: 'pending', error: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(server.fetches).toBe(1);
    expect(store.merges).toBe(1);
    await connection.refresh();
    expect(store.merges).toBe(2);
    connection.stop();
  });

  it('does not fetch on connect, nor on refresh, without merge', async () => {
    const { server, connection, latest } = setUp();
    connection.start();
    latest().handlers.onConnectionStateChange({ state: 'pending', error: null });
    await connection.refresh();
    expect(server.fetches).toBe(0);
    connection.stop();
  });

  it('polls at the interval the stream asks for', async () => {
    let interval = 1_500;
    const { server, store, connection } = setUp({ pollIntervalMs: () => interval });
    connection.start();
    await vi.advanceTimersByTimeAsync(9_000);
    expect(store.connection).toBe('polling');
    const afterFirst = server.fetches;
    interval = 5_000;
    await vi.advanceTimersByTimeAsync(1_500);
    expect(server.fetches).toBe(afterFirst + 1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(server.fetches).toBe(afterFirst + 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(server.fetches).toBe(afterFirst + 2);
    connection.stop();
  });

  it('starts over when a poll replaced the text it resumes, but for a snapshot', async () => {
    const { server, store, connection, subscriptions, latest } = setUp();
    connection.start();
    const first = latest();
    server.text = 'polled';
    await vi.advanceTimersByTimeAsync(9_000);
    expect(store.text).toBe('polled');
    expect(first.closed).toBe(true);

    await vi.advanceTimersByTimeAsync(10_000);
    const retry = latest();
    expect(retry.lastEventId).toBeNull();
    store.pollReplacements += 1;
    retry.handlers.onData({ id: '9', data: { type: 'text', text: 'x' } });
    expect(retry.closed).toBe(true);
    const fresh = latest();
    expect(subscriptions).toHaveLength(3);
    // Another replacement: a snapshot stands on its own, so it is taken all the same.
    store.pollReplacements += 1;
    fresh.handlers.onData({ id: '10', data: { type: 'snapshot', text: 'polled!' } });
    expect(fresh.closed).toBe(false);
    expect(store.text).toBe('polled!');
    connection.stop();
  });
});
