import type { StreamChannel, StreamWatchMessage } from '@sluice/shared';
import type { SluiceClient } from './test-stack';

export interface WatchedStream {
  messages: StreamWatchMessage[];
  /** Resolves once `predicate` holds for the messages received so far. */
  until(predicate: (messages: readonly StreamWatchMessage[]) => boolean): Promise<void>;
  /** Each channel's last event id (what a resubscription sends). */
  lastEventIds(): Map<number, string>;
  /** The subscription's error, if it failed as a whole. */
  readonly error: unknown;
  close(): void;
}

/** Subscribes to stream.watch with the real httpSubscriptionLink. */
export function watchStream(client: SluiceClient, channels: StreamChannel[]): WatchedStream {
  const messages: StreamWatchMessage[] = [];
  const waiters = new Set<{
    predicate: (all: readonly StreamWatchMessage[]) => boolean;
    resolve: () => void;
    reject: (error: unknown) => void;
  }>();
  let failure: unknown;
  const check = () => {
    for (const waiter of [...waiters]) {
      if (failure !== undefined) {
        waiters.delete(waiter);
        waiter.reject(failure);
      } else if (waiter.predicate(messages)) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };
  const subscription = client.stream.watch.subscribe(
    { channels },
    {
      onData(message) {
        messages.push(message as StreamWatchMessage);
        check();
      },
      onError(error) {
        failure = error;
        check();
      },
    },
  );
  return {
    messages,
    until(predicate) {
      if (failure !== undefined) return Promise.reject(failure);
      if (predicate(messages)) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.add({ predicate, resolve, reject }));
    },
    lastEventIds() {
      const ids = new Map<number, string>();
      for (const message of messages) if ('id' in message) ids.set(message.channel, message.id);
      return ids;
    },
    get error() {
      return failure;
    },
    close: () => subscription.unsubscribe(),
  };
}

/** The text a client assembles for one channel: a snapshot replaces, deltas append. */
export function channelText(
  messages: readonly StreamWatchMessage[],
  channel: number,
  initial = '',
): string {
  let text = initial;
  for (const message of messages) {
    if (message.channel !== channel || !('event' in message)) continue;
    const event = message.event;
    if (event.type === 'snapshot') text = event.content;
    else if (event.type === 'text-delta') text += event.text;
  }
  return text;
}

export function channelEnded(messages: readonly StreamWatchMessage[], channel: number): boolean {
  return messages.some(
    (message) => message.channel === channel && 'event' in message && message.event.type === 'end',
  );
}
