import type { PlanEvent } from '@sluice/shared';
import type { ConnectionFallbackState } from '../../lib/connection-fallback';
import {
  createStreamConnection,
  type StreamConnectionSettings,
  type SubscriptionHandlers,
  type Timers,
} from '../../lib/stream-connection';
import type { PlanStreamStore, PlanViewUpdate } from './plan-stream-store';

export type PlanSubscriptionHandlers = SubscriptionHandlers<PlanEvent>;

/** The two calls the page needs, so tests can pass a fake server. */
export interface PlanStreamClient {
  subscribe(
    input: { planId: string; lastEventId?: string },
    handlers: PlanSubscriptionHandlers,
  ): { unsubscribe(): void };
  get(planId: string): Promise<PlanViewUpdate>;
}

export interface PlanStreamConnectionOptions {
  planId: string;
  store: PlanStreamStore;
  client: PlanStreamClient;
  timers?: Timers;
  settings?: Partial<StreamConnectionSettings>;
  /** The plan reached its end (through either path). */
  onEnd?: () => void;
}

export interface PlanStreamConnection {
  start(): void;
  stop(): void;
  readonly state: ConnectionFallbackState;
}

/**
 * Keeps one plan's store up to date: the `plan.events` subscription while it works
 * (the link itself reconnects with the last event id), polling `plan.get` when it cannot
 * connect or keeps dropping, and trying to go live again in the background.
 *
 * A plan ends: its `end` event, or a `plan.get` that is no longer generating, stops
 * everything. A plan this tab saw end is not followed again, only checked once.
 */
export function createPlanStreamConnection(
  options: PlanStreamConnectionOptions,
): PlanStreamConnection {
  const { planId, store, client } = options;
  return createStreamConnection<PlanEvent, PlanViewUpdate>({
    store,
    subscribe: (lastEventId, handlers) =>
      client.subscribe(lastEventId ? { planId, lastEventId } : { planId }, handlers),
    fetch: () => client.get(planId),
    applyPolled: (view) => store.applyView(view),
    startsOver: (event) => event.type === 'snapshot',
    ending: {
      isEndEvent: (event) => event.type === 'end',
      isEndedView: (view) => view.status !== 'generating',
      hasEnded: () => store.ended,
      onEnd: () => options.onEnd?.(),
    },
    timers: options.timers,
    settings: options.settings,
  });
}
