import type { PlanEvent } from '@sluice/shared';
import {
  type ConnectionFallbackSettings,
  type ConnectionFallbackState,
  type ConnectionSignal,
  defaultConnectionFallbackSettings,
  initialConnectionFallback,
  isFallbackMode,
  nextConnectionFallback,
} from '../../lib/connection-fallback';
import { isNotFoundError, isUnreachableError } from '../../lib/describe-request-error';
import type { PlanStreamStore, PlanViewUpdate } from './plan-stream-store';

export interface PlanSubscriptionHandlers {
  onData(message: { id: string; data: PlanEvent }): void;
  onConnectionStateChange(change: {
    state: 'idle' | 'connecting' | 'pending';
    error: unknown;
  }): void;
  onError(error: unknown): void;
  onComplete(): void;
}

/** The two calls the page needs, so tests can pass a fake server. */
export interface PlanStreamClient {
  subscribe(
    input: { planId: string; lastEventId?: string },
    handlers: PlanSubscriptionHandlers,
  ): { unsubscribe(): void };
  get(planId: string): Promise<PlanViewUpdate>;
}

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PlanStreamConnectionSettings extends ConnectionFallbackSettings {
  pollIntervalMs: number;
  /** While polling, how often to try the subscription again. */
  liveRetryMs: number;
  tickMs: number;
  /** At most one reachability check per this many ms. */
  reachabilityCheckMs: number;
  /** Waits before re-subscribing after a fatal subscription error, by attempt. */
  resubscribeDelaysMs: readonly number[];
}

export const defaultPlanStreamConnectionSettings: PlanStreamConnectionSettings = {
  ...defaultConnectionFallbackSettings,
  pollIntervalMs: 1_500,
  liveRetryMs: 10_000,
  tickMs: 1_000,
  reachabilityCheckMs: 5_000,
  resubscribeDelaysMs: [500, 1_000, 2_000, 4_000, 8_000],
};

export interface PlanStreamConnectionOptions {
  planId: string;
  store: PlanStreamStore;
  client: PlanStreamClient;
  timers?: Timers;
  settings?: Partial<PlanStreamConnectionSettings>;
  /** The plan reached its end (through either path). */
  onEnd?: () => void;
}

export interface PlanStreamConnection {
  start(): void;
  stop(): void;
  readonly state: ConnectionFallbackState;
}

const browserTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Keeps one plan's store up to date: the `plan.events` subscription while it works
 * (the link itself reconnects with the last event id), polling `plan.get` when it cannot
 * connect or keeps dropping, and trying to go live again in the background.
 *
 * Exactly one source feeds the store at a time. Polled content has no event id, so a
 * subscription opened after a poll replaced the content resumes from a snapshot.
 */
export function createPlanStreamConnection(
  options: PlanStreamConnectionOptions,
): PlanStreamConnection {
  const { planId, store, client } = options;
  const timers = options.timers ?? browserTimers;
  const settings = { ...defaultPlanStreamConnectionSettings, ...options.settings };

  let state = initialConnectionFallback(timers.now());
  let running = false;
  let closeSubscription: (() => void) | null = null;
  let tickTimer: unknown;
  let pollTimer: unknown;
  let probeTimer: unknown;
  let resubscribeTimer: unknown;
  /** Invalidates polls in flight when polling stops. */
  let pollToken = 0;
  let resubscribeAttempts = 0;

  function dispatch(signal: ConnectionSignal): void {
    if (signal.type === 'subscription-failed' && !isFallbackMode(state.mode)) checkReachable();
    const previous = state;
    state = nextConnectionFallback(state, signal, settings);
    if (state === previous) return;
    store.setConnection(state.mode);
    const wasFallback = isFallbackMode(previous.mode);
    const isFallback = isFallbackMode(state.mode);
    if (!wasFallback && isFallback) enterFallback();
    else if (wasFallback && !isFallback) leaveFallback();
  }

  function enterFallback(): void {
    unsubscribe();
    timers.clearTimeout(resubscribeTimer);
    poll();
    scheduleProbe();
  }

  function leaveFallback(): void {
    pollToken += 1;
    timers.clearTimeout(pollTimer);
    timers.clearTimeout(probeTimer);
  }

  function unsubscribe(): void {
    closeSubscription?.();
    closeSubscription = null;
  }

  function subscribe(): void {
    unsubscribe();
    let open = true;
    let handle: { unsubscribe(): void } | undefined;
    // Which polled content this subscription's resume point belongs to.
    let replacements = store.pollReplacements;
    const lastEventId = store.lastEventId;
    const close = () => {
      if (!open) return;
      open = false;
      if (closeSubscription === close) closeSubscription = null;
      handle?.unsubscribe();
    };
    closeSubscription = close;
    handle = client.subscribe(lastEventId ? { planId, lastEventId } : { planId }, {
      onData({ id, data }) {
        if (!open) return;
        if (store.pollReplacements !== replacements && data.type !== 'snapshot') {
          // Polling replaced the content after this subscription asked to resume: its
          // events continue something else. Start again (from a snapshot).
          subscribe();
          return;
        }
        replacements = store.pollReplacements;
        resubscribeAttempts = 0;
        store.apply(id, data);
        dispatch({ type: 'subscription-data', at: timers.now() });
        if (data.type === 'end') finish();
      },
      onConnectionStateChange(change) {
        if (!open) return;
        const at = timers.now();
        if (change.state === 'pending') dispatch({ type: 'subscription-connected', at });
        else if (change.state === 'connecting') {
          dispatch({ type: change.error ? 'subscription-failed' : 'subscription-connecting', at });
        }
      },
      onError(error) {
        if (!open) return;
        close();
        if (isNotFoundError(error)) {
          notFound();
          return;
        }
        dispatch({ type: 'subscription-failed', at: timers.now() });
        if (isFallbackMode(state.mode)) scheduleProbe();
        else scheduleResubscribe();
      },
      onComplete() {
        if (!open) return;
        close();
        if (!store.ended) checkAfterEarlyCompletion();
      },
    });
    // Closed while subscribing (an error reported at once): release it now.
    if (!open) handle.unsubscribe();
  }

  let lastReachabilityCheck = Number.NEGATIVE_INFINITY;
  /** After a subscription failure, one quick request tells a blip from a server that is gone. */
  function checkReachable(): void {
    const at = timers.now();
    if (at - lastReachabilityCheck < settings.reachabilityCheckMs) return;
    lastReachabilityCheck = at;
    client.get(planId).then(
      () => {},
      (error: unknown) => {
        if (running && isUnreachableError(error)) {
          dispatch({ type: 'server-unreachable', at: timers.now() });
        }
      },
    );
  }

  function scheduleResubscribe(): void {
    timers.clearTimeout(resubscribeTimer);
    const delays = settings.resubscribeDelaysMs;
    const delay = delays[Math.min(resubscribeAttempts, delays.length - 1)] ?? 1_000;
    resubscribeAttempts += 1;
    resubscribeTimer = timers.setTimeout(() => {
      if (running && !closeSubscription && !isFallbackMode(state.mode)) subscribe();
    }, delay);
  }

  function scheduleProbe(): void {
    timers.clearTimeout(probeTimer);
    probeTimer = timers.setTimeout(() => {
      if (running && !closeSubscription && isFallbackMode(state.mode)) subscribe();
    }, settings.liveRetryMs);
  }

  /** The subscription returned without an `end` event: ask how the plan stands. */
  function checkAfterEarlyCompletion(): void {
    client.get(planId).then(
      (view) => {
        if (!running) return;
        if (view.status === 'generating') {
          scheduleResubscribe();
          return;
        }
        store.applyView(view);
        finish();
      },
      (error: unknown) => {
        if (!running) return;
        if (isNotFoundError(error)) notFound();
        else {
          dispatch({ type: 'subscription-failed', at: timers.now() });
          if (!isFallbackMode(state.mode)) scheduleResubscribe();
        }
      },
    );
  }

  function poll(): void {
    timers.clearTimeout(pollTimer);
    pollToken += 1;
    const token = pollToken;
    const current = () => running && token === pollToken;
    client
      .get(planId)
      .then(
        (view) => {
          if (!current()) return;
          store.applyView(view);
          dispatch({ type: 'poll-succeeded', at: timers.now() });
          if (view.status !== 'generating') finish();
        },
        (error: unknown) => {
          if (!current()) return;
          if (isNotFoundError(error)) notFound();
          else {
            dispatch({
              type: 'poll-failed',
              at: timers.now(),
              unreachable: isUnreachableError(error),
            });
          }
        },
      )
      .finally(() => {
        if (current() && isFallbackMode(state.mode)) {
          pollTimer = timers.setTimeout(poll, settings.pollIntervalMs);
        }
      });
  }

  function tick(): void {
    dispatch({ type: 'tick', at: timers.now() });
    if (running) tickTimer = timers.setTimeout(tick, settings.tickMs);
  }

  function halt(): void {
    running = false;
    unsubscribe();
    pollToken += 1;
    for (const timer of [tickTimer, pollTimer, probeTimer, resubscribeTimer]) {
      timers.clearTimeout(timer);
    }
  }

  function finish(): void {
    halt();
    // In step with the server's final state, whichever path brought it.
    state = { mode: 'live', failures: [], connectingSince: null };
    store.setConnection('live');
    options.onEnd?.();
  }

  function notFound(): void {
    halt();
    store.setNotFound();
  }

  /**
   * A plan this tab saw end needs no subscription; one check that the server has the
   * same text (the server is the reference for a finished plan).
   */
  function verifyEnded(): void {
    client.get(planId).then(
      (view) => {
        if (view.status !== 'generating') store.applyView(view);
      },
      (error: unknown) => {
        if (isNotFoundError(error)) store.setNotFound();
      },
    );
  }

  return {
    start() {
      if (running) return;
      if (store.ended) {
        store.setConnection('live');
        verifyEnded();
        return;
      }
      running = true;
      resubscribeAttempts = 0;
      state = initialConnectionFallback(timers.now());
      store.setConnection(state.mode);
      subscribe();
      tickTimer = timers.setTimeout(tick, settings.tickMs);
    },
    stop: halt,
    get state() {
      return state;
    },
  };
}
