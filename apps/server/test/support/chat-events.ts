import type { ChatEvent } from '@sluice/shared';
import { servedSignal } from './served-subscriptions';
import type { SluiceClient } from './test-stack';

export interface ReceivedChatEvent {
  id: string | undefined;
  event: ChatEvent;
}

/** The text of one reply as a client assembles it: a snapshot replaces, deltas append. */
export function assembleReply(
  events: readonly ReceivedChatEvent[],
  messageId: string,
  initial = '',
): string {
  let text = initial;
  for (const { event } of events) {
    if (event.messageId !== messageId) continue;
    if (event.type === 'snapshot') text = event.content;
    else if (event.type === 'text-delta') text += event.text;
  }
  return text;
}

export interface ChatSubscription {
  events: ReceivedChatEvent[];
  /**
   * Resolves once the server serves this subscription, so a reply sent afterwards reaches
   * it from its first event (with several subscriptions to one session, await them all).
   * It waits on the server's own record, since a session with no reply running sends
   * nothing on connecting: the client must come from a test stack (`stack.client` or
   * `createClient(stack.url)`). Rejects if the subscription fails.
   */
  readonly connected: Promise<void>;
  /** Resolves when `count` replies have ended on this subscription. */
  ends(count: number): Promise<ReceivedChatEvent[]>;
  /** Resolves once `count` events arrived. */
  received(count: number): Promise<void>;
  unsubscribe(): void;
  readonly lastEventId: string | undefined;
}

/** Subscribes to chat.events with the real httpSubscriptionLink. */
export function subscribeChat(
  client: SluiceClient,
  sessionId: string,
  lastEventId?: string,
): ChatSubscription {
  const events: ReceivedChatEvent[] = [];
  const waiters: Array<{
    done: () => boolean;
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];
  let failure: unknown;
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.done()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const wait = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (failure) reject(failure);
      else if (done()) resolve();
      else waiters.push({ done, resolve, reject });
    });
  const served = servedSignal(client, sessionId);
  let isServed = false;
  served?.then(() => {
    isServed = true;
    check();
  });
  let connected: Promise<void> | undefined;

  const subscription = client.chat.events.subscribe(
    { sessionId, lastEventId },
    {
      onData(tracked) {
        events.push({ id: tracked.id, event: tracked.data as ChatEvent });
        check();
      },
      onError(error) {
        failure = error;
        for (const waiter of waiters.splice(0)) waiter.reject(error);
      },
    },
  );
  return {
    events,
    get connected() {
      // Created on first use, so an unused signal never rejects unobserved.
      connected ??= served
        ? wait(() => isServed)
        : Promise.reject(
            new Error(
              'subscribeChat(…).connected needs a client of a test stack (stack.client or createClient(stack.url))',
            ),
          );
      return connected;
    },
    async ends(count) {
      await wait(() => events.filter(({ event }) => event.type === 'end').length >= count);
      return events;
    },
    received: (count) => wait(() => events.length >= count),
    unsubscribe: () => subscription.unsubscribe(),
    get lastEventId() {
      return events.at(-1)?.id;
    },
  };
}
