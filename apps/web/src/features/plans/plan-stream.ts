import type { PlanEvent } from '@sluice/shared';
import { createKeptStream, type KeptStreamKind } from '../../lib/kept-stream';
import { createResumeStorage, type ResumeStorage } from '../../lib/resume-storage';
import {
  createStreamConnection,
  type StreamConnection,
  type StreamConnectionSettings,
  type SubscriptionHandlers,
  type Timers,
} from '../../lib/stream-connection';
import {
  createPlanStreamStore,
  type PlanResumeState,
  type PlanStreamSnapshot,
  type PlanStreamStore,
  type PlanViewUpdate,
} from './plan-stream-store';

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

export type PlanStreamConnection = StreamConnection;

/**
 * Keeps one plan's store up to date: its channel of the shared connection while it works,
 * polling `plan.get` when it cannot connect or keeps dropping, and trying to go live again
 * in the background.
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

function parsePlanResumeState(saved: Record<string, unknown>): PlanResumeState | null {
  const valid =
    typeof saved.content === 'string' &&
    typeof saved.status === 'string' &&
    (saved.lastEventId === null || typeof saved.lastEventId === 'string');
  return valid ? (saved as unknown as PlanResumeState) : null;
}

export type PlanResumeStorage = ResumeStorage<PlanResumeState>;

/** Where a tab keeps, per plan, the last event id with the content it covers (a reload resumes exactly). */
export function createPlanResumeStorage(storage?: Storage, now?: () => number): PlanResumeStorage {
  return createResumeStorage({
    keyPrefix: 'sluice:plan-stream:',
    maxSaved: planStreamKind.maxSaved,
    parse: parsePlanResumeState,
    storage,
    now,
  });
}

export const planStreamKind: KeptStreamKind<PlanStreamStore, PlanStreamSnapshot, PlanResumeState> =
  {
    kind: 'plan',
    maxKept: 20,
    maxSaved: 20,
    saveIntervalMs: 1_000,
    parseResume: parsePlanResumeState,
    createStore: (resume) => createPlanStreamStore({ resume }),
    // Nothing to resume exactly yet: keep what was saved.
    resumeState: (store) => store.resumeState() ?? undefined,
    connect: ({ id, store, client, subscribe, save }) =>
      createPlanStreamConnection({
        planId: id,
        store,
        client: {
          subscribe: (input, handlers) =>
            subscribe(
              input.planId,
              input.lastEventId ?? null,
              handlers as SubscriptionHandlers<unknown>,
            ),
          get: (planId) => client.plan.get.query({ planId }),
        },
        // The end is saved at once.
        onEnd: save,
      }),
  };

const planStream = createKeptStream(planStreamKind);

/**
 * Follows one plan: resumes from what this tab already has (memory, or sessionStorage
 * after a reload) and re-renders at most once per animation frame.
 */
export function usePlanStream(planId: string): PlanStreamSnapshot {
  return planStream.use(planId).stream;
}
