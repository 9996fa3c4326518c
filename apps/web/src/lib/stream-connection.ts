import {
  type ConnectionFallbackSettings,
  type ConnectionFallbackState,
  type ConnectionMode,
  type ConnectionSignal,
  defaultConnectionFallbackSettings,
  initialConnectionFallback,
  isFallbackMode,
  nextConnectionFallback,
} from './connection-fallback';
import { isNotFoundError, isUnreachableError } from './describe-request-error';

/** What a tRPC subscription calls back with. */
export interface SubscriptionHandlers<TEvent> {
  onData(message: { id: string; data: TEvent }): void;
  onConnectionStateChange(change: {
    state: 'idle' | 'connecting' | 'pending';
    error: unknown;
  }): void;
  onError(error: unknown): void;
  onComplete(): void;
}

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StreamConnectionSettings extends ConnectionFallbackSettings {
  pollIntervalMs: number;
  /** While polling, how often to try the subscription again. */
  liveRetryMs: number;
  tickMs: number;
  /** At most one reachability check per this many ms. */
  reachabilityCheckMs: number;
  /** Waits before re-subscribing after a fatal subscription error, by attempt. */
  resubscribeDelaysMs: readonly number[];
}

export const defaultStreamConnectionSettings: StreamConnectionSettings = {
  ...defaultConnectionFallbackSettings,
  pollIntervalMs: 1_500,
  liveRetryMs: 10_000,
  tickMs: 1_000,
  reachabilityCheckMs: 5_000,
  resubscribeDelaysMs: [500, 1_000, 2_000, 4_000, 8_000],
};

/** The part of a stream store that a connection feeds. */
export interface StreamConnectionStore<TEvent> {
  apply(id: string | undefined, event: TEvent): void;
  setConnection(connection: ConnectionMode): void;
  setNotFound(): void;
  readonly lastEventId: string | null;
  /** Counts replacements by polling, so a subscription opened before one can tell. */
  readonly pollReplacements: number;
}

/** For a stream that ends (a plan): how to tell, and what to do then. */
export interface StreamEnding<TEvent, TView> {
  isEndEvent(event: TEvent): boolean;
  isEndedView(view: TView): boolean;
  /** The store already holds the end: no subscription, one check against the server. */
  hasEnded(): boolean;
  /** The stream reached its end (through either path). */
  onEnd?: () => void;
}

export interface StreamConnectionOptions<TEvent, TView> {
  store: StreamConnectionStore<TEvent>;
  /** Opens the live subscription, resuming after `lastEventId` when there is one. */
  subscribe(
    lastEventId: string | null,
    handlers: SubscriptionHandlers<TEvent>,
  ): { unsubscribe(): void };
  /** Asks for the whole state once (polling, checks). */
  fetch(): Promise<TView>;
  /** Applies a polled answer: the server's text replaces ours. */
  applyPolled(view: TView): void;
  /**
   * Whether an event starts its text over (a snapshot), so it may follow a poll that
   * replaced the text; any other event continues the text its subscription resumed from.
   */
  startsOver(event: TEvent): boolean;
  /** Without it the stream never ends (a chat session): a returned subscription is opened again. */
  ending?: StreamEnding<TEvent, TView>;
  /**
   * Applies an answer fetched alongside the live stream (`refresh`). With it, each time the
   * subscription gets through, one `fetch` fills in what happened while it was away.
   */
  merge?: (view: TView) => void;
  /** The wait before the next poll; `settings.pollIntervalMs` unless given. */
  pollIntervalMs?: () => number;
  timers?: Timers;
  settings?: Partial<StreamConnectionSettings>;
}

export interface StreamConnection {
  start(): void;
  stop(): void;
  /** Asks for the state once and merges it (with `merge`); a poll in between wins. */
  refresh(): Promise<void>;
  readonly state: ConnectionFallbackState;
}

const browserTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Keeps one stream's store up to date: the subscription while it works (the link itself
 * reconnects with the last event id), polling `fetch` when it cannot connect or keeps
 * dropping, and trying to go live again in the background.
 *
 * Exactly one source feeds the store at a time. Polled text has no event id, so a
 * subscription opened after a poll replaced the text resumes from a snapshot.
 */
export function createStreamConnection<TEvent, TView>(
  options: StreamConnectionOptions<TEvent, TView>,
): StreamConnection {
  const { store, ending, merge } = options;
  const timers = options.timers ?? browserTimers;
  const settings = { ...defaultStreamConnectionSettings, ...options.settings };

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
    // Which polled text this subscription's resume point belongs to.
    let replacements = store.pollReplacements;
    const close = () => {
      if (!open) return;
      open = false;
      if (closeSubscription === close) closeSubscription = null;
      handle?.unsubscribe();
    };
    closeSubscription = close;
    handle = options.subscribe(store.lastEventId, {
      onData({ id, data }) {
        if (!open) return;
        if (store.pollReplacements !== replacements && !options.startsOver(data)) {
          // Polling replaced the text after this subscription asked to resume: its
          // events continue something else. Start again (from a snapshot).
          subscribe();
          return;
        }
        replacements = store.pollReplacements;
        resubscribeAttempts = 0;
        store.apply(id, data);
        dispatch({ type: 'subscription-data', at: timers.now() });
        if (ending?.isEndEvent(data)) finish();
      },
      onConnectionStateChange(change) {
        if (!open) return;
        const at = timers.now();
        if (change.state === 'pending') {
          dispatch({ type: 'subscription-connected', at });
          // Through (again): what ended or started while we were away.
          if (merge) void refresh();
        } else if (change.state === 'connecting') {
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
        if (!ending) {
          // A stream that does not end: the server went away politely. Again.
          scheduleResubscribe();
        } else if (!ending.hasEnded()) {
          checkAfterEarlyCompletion(ending);
        }
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
    options.fetch().then(
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

  /** The subscription returned without an end event: ask how the stream stands. */
  function checkAfterEarlyCompletion(end: StreamEnding<TEvent, TView>): void {
    options.fetch().then(
      (view) => {
        if (!running) return;
        if (!end.isEndedView(view)) {
          scheduleResubscribe();
          return;
        }
        options.applyPolled(view);
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

  /** One `fetch`, merged: the stream stays the source of the text it is writing. */
  function refresh(): Promise<void> {
    if (!running || !merge) return Promise.resolve();
    const token = pollToken;
    return options.fetch().then(
      (view) => {
        // A poll in between has the newer answer.
        if (running && token === pollToken) merge(view);
      },
      (error: unknown) => {
        if (running && isNotFoundError(error)) notFound();
      },
    );
  }

  function poll(): void {
    timers.clearTimeout(pollTimer);
    pollToken += 1;
    const token = pollToken;
    const current = () => running && token === pollToken;
    options
      .fetch()
      .then(
        (view) => {
          if (!current()) return;
          options.applyPolled(view);
          dispatch({ type: 'poll-succeeded', at: timers.now() });
          if (ending?.isEndedView(view)) finish();
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
          pollTimer = timers.setTimeout(
            poll,
            options.pollIntervalMs?.() ?? settings.pollIntervalMs,
          );
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
    ending?.onEnd?.();
  }

  function notFound(): void {
    halt();
    store.setNotFound();
  }

  /**
   * A stream this tab saw end needs no subscription; one check that the server has the
   * same text (the server is the reference for a finished stream).
   */
  function verifyEnded(end: StreamEnding<TEvent, TView>): void {
    options.fetch().then(
      (view) => {
        if (end.isEndedView(view)) options.applyPolled(view);
      },
      (error: unknown) => {
        if (isNotFoundError(error)) store.setNotFound();
      },
    );
  }

  return {
    start() {
      if (running) return;
      if (ending?.hasEnded()) {
        store.setConnection('live');
        verifyEnded(ending);
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
    refresh,
    get state() {
      return state;
    },
  };
}
