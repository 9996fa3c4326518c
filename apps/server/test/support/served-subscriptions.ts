import type { ServerApp } from '../../src/app';
import type { PushStream } from '../../src/generation/push-stream';

/**
 * What the server itself says about subscriptions: how many `plan.events` /
 * `chat.events` subscriptions it has started serving for a plan or session id.
 *
 * A client-side "started" (tRPC's `connected` SSE event) is written before the server
 * pulls the first item from the subscription, so it may precede the server's subscribing
 * to the event bus. This count goes up only once the server has pulled from the observer,
 * whose first step subscribes it to the bus: an event published after that reaches it.
 */
export interface ServedSubscriptions {
  /** Subscriptions of `id` the server has started serving so far (never decreases). */
  started(id: string): number;
  /** Resolves once the server has started serving at least `count` subscriptions of `id`. */
  reached(id: string, count: number): Promise<void>;
}

/**
 * Runs `inner` unchanged, calling `onStart` once it is subscribed: right after it is piped
 * (the SSE writer), or after its first pull (an observer's first step subscribes it to the
 * bus synchronously).
 */
function signalOnStart<T>(inner: PushStream<T>, onStart: () => void): PushStream<T> {
  return {
    pipe(sink) {
      inner.pipe(sink);
      onStart();
    },
    async *[Symbol.asyncIterator]() {
      const iterator = inner[Symbol.asyncIterator]();
      const first = iterator.next();
      onStart();
      try {
        const result = await first;
        if (result.done) return;
        yield result.value;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      } finally {
        await iterator.return?.(undefined);
      }
    },
  };
}

/** Wraps the app's `plans.events` and `chat.events` (the services its router calls) to count them. */
export function observeServedSubscriptions(app: ServerApp): ServedSubscriptions {
  const counts = new Map<string, number>();
  const waiters = new Set<{ id: string; count: number; resolve: () => void }>();
  const start = (id: string) => {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const waiter of [...waiters]) {
      if (waiter.id === id && (counts.get(id) ?? 0) >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const planEvents = app.plans.events;
  app.plans.events = async (userId, input, signal) =>
    signalOnStart(await planEvents(userId, input, signal), () => start(input.planId));
  const chatEvents = app.chat.events;
  app.chat.events = async (userId, input, signal) =>
    signalOnStart(await chatEvents(userId, input, signal), () => start(input.sessionId));

  return {
    started: (id) => counts.get(id) ?? 0,
    reached(id, count) {
      if ((counts.get(id) ?? 0) >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.add({ id, count, resolve }));
    },
  };
}

const servers = new Map<string, ServedSubscriptions>();
const clientUrls = new WeakMap<object, string>();
/** How many subscriptions the helpers opened, per server and id: the count each one waits for. */
const opened = new WeakMap<ServedSubscriptions, Map<string, number>>();

export function registerServer(url: string, served: ServedSubscriptions): () => void {
  servers.set(url, served);
  return () => servers.delete(url);
}

export function registerClient(client: object, url: string): void {
  clientUrls.set(client, url);
}

/**
 * Called by the subscription helpers as they subscribe. Returns a promise that resolves
 * once the server serves this subscription (with several subscriptions to one id, once
 * it serves at least as many as were opened up to this one: await them all), or
 * `undefined` when the client talks to a server the helpers do not know (a proxy, a child
 * process).
 */
export function servedSignal(client: object, id: string): Promise<void> | undefined {
  const url = clientUrls.get(client);
  const served = url === undefined ? undefined : servers.get(url);
  if (!served) return undefined;
  let perId = opened.get(served);
  if (!perId) {
    perId = new Map();
    opened.set(served, perId);
  }
  const ticket = (perId.get(id) ?? 0) + 1;
  perId.set(id, ticket);
  return served.reached(id, ticket);
}
