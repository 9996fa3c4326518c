import type { ChatEvent } from '@sluice/shared';
import type { SluiceClient } from './test-stack';

export interface WatchedChatEvent {
  id: string | undefined;
  event: ChatEvent;
}

export interface ChatSessionWatch {
  events: WatchedChatEvent[];
  /** Resolves once the SSE stream is open (tRPC's `connected` event reached the client). */
  connected: Promise<void>;
  /** Resolves with the first event (past or future) that matches. */
  next(predicate: (event: ChatEvent) => boolean): Promise<ChatEvent>;
  /** Resolves with the `end` event of one reply. */
  endOf(messageId: string): Promise<Extract<ChatEvent, { type: 'end' }>>;
  /** The text of one reply as a client assembles it: a snapshot replaces, deltas append. */
  textOf(messageId: string): string;
  close(): void;
}

/**
 * Follows `chat.events` of one session with the real httpSubscriptionLink, with a signal for
 * when the stream is open and waits on events (no sleeps).
 */
export function watchChatSession(
  client: SluiceClient,
  sessionId: string,
  lastEventId?: string,
): ChatSessionWatch {
  const events: WatchedChatEvent[] = [];
  const waiters = new Set<{
    test: (event: ChatEvent) => boolean;
    resolve(event: ChatEvent): void;
  }>();
  let failure: unknown;
  const failed = new Set<(error: unknown) => void>();
  let markConnected: () => void = () => {};
  let failConnected: (error: unknown) => void = () => {};
  const connected = new Promise<void>((resolve, reject) => {
    markConnected = resolve;
    failConnected = reject;
  });

  const subscription = client.chat.events.subscribe(
    { sessionId, lastEventId },
    {
      onStarted() {
        markConnected();
      },
      onData(tracked) {
        const event = tracked.data as ChatEvent;
        events.push({ id: tracked.id, event });
        for (const waiter of [...waiters]) {
          if (waiter.test(event)) {
            waiters.delete(waiter);
            waiter.resolve(event);
          }
        }
      },
      onError(error) {
        failure = error;
        failConnected(error);
        for (const reject of failed) reject(error);
      },
    },
  );

  function next(test: (event: ChatEvent) => boolean): Promise<ChatEvent> {
    const found = events.find(({ event }) => test(event));
    if (found) return Promise.resolve(found.event);
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve };
      waiters.add(waiter);
      failed.add(reject);
    });
  }

  return {
    events,
    connected,
    next,
    endOf: (messageId) =>
      next((event) => event.type === 'end' && event.messageId === messageId) as Promise<
        Extract<ChatEvent, { type: 'end' }>
      >,
    textOf(messageId) {
      let text = '';
      for (const { event } of events) {
        if (event.messageId !== messageId) continue;
        if (event.type === 'snapshot') text = event.content;
        else if (event.type === 'text-delta') text += event.text;
      }
      return text;
    },
    close: () => subscription.unsubscribe(),
  };
}
