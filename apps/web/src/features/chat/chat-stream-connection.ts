import type { ChatEvent } from '@sluice/shared';
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
import type { ChatStreamStore } from './chat-stream-store';
import type { ChatSessionDetail } from './chat-types';

export interface ChatSubscriptionHandlers {
  onData(message: { id: string; data: ChatEvent }): void;
  onConnectionStateChange(change: {
    state: 'idle' | 'connecting' | 'pending';
    error: unknown;
  }): void;
  onError(error: unknown): void;
  onComplete(): void;
}

/** The two calls the session needs, so tests can pass a fake server. */
export interface ChatStreamClient {
  subscribe(
    input: { sessionId: string; lastEventId?: string },
    handlers: ChatSubscriptionHandlers,
  ): { unsubscribe(): void };
  getSession(sessionId: string): Promise<ChatSessionDetail>;
}

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ChatStreamConnectionSettings extends ConnectionFallbackSettings {
  /** While polling, how often to ask for the session while a reply is being written… */
  pollIntervalMs: number;
  /** …and while nothing is (another tab may start a reply). */
  idlePollIntervalMs: number;
  /** While polling, how often to try the subscription again. */
  liveRetryMs: number;
  tickMs: number;
  /** At most one reachability check per this many ms. */
  reachabilityCheckMs: number;
  /** Waits before re-subscribing after a fatal subscription error, by attempt. */
  resubscribeDelaysMs: readonly number[];
}

export const defaultChatStreamConnectionSettings: ChatStreamConnectionSettings = {
  ...defaultConnectionFallbackSettings,
  pollIntervalMs: 1_500,
  idlePollIntervalMs: 5_000,
  liveRetryMs: 10_000,
  tickMs: 1_000,
  reachabilityCheckMs: 5_000,
  resubscribeDelaysMs: [500, 1_000, 2_000, 4_000, 8_000],
};

export interface ChatStreamConnectionOptions {
  sessionId: string;
  store: ChatStreamStore;
  client: ChatStreamClient;
  timers?: Timers;
  settings?: Partial<ChatStreamConnectionSettings>;
}

export interface ChatStreamConnection {
  start(): void;
  stop(): void;
  /** Asks for the session once and merges it (after a send that attached, after an end). */
  refresh(): Promise<void>;
  readonly state: ConnectionFallbackState;
}

const browserTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Keeps one chat session's store up to date: the `chat.events` subscription while it works
 * (it never ends; the link itself reconnects with the last event id), polling
 * `chat.getSession` when it cannot connect or keeps dropping, and trying to go live again in
 * the background. Each time the subscription connects, one `chat.getSession` fills in what
 * happened while it was away (replies that ended, other tabs' turns).
 *
 * Exactly one source feeds the stream at a time. Polled text has no event id, so a
 * subscription opened after a poll replaced a reply's text resumes from a snapshot.
 */
export function createChatStreamConnection(
  options: ChatStreamConnectionOptions,
): ChatStreamConnection {
  const { sessionId, store, client } = options;
  const timers = options.timers ?? browserTimers;
  const settings = { ...defaultChatStreamConnectionSettings, ...options.settings };

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

  function notFound(): void {
    halt();
    store.setNotFound();
  }

  function subscribe(): void {
    unsubscribe();
    let open = true;
    let handle: { unsubscribe(): void } | undefined;
    // Which polled text this subscription's resume point belongs to.
    let replacements = store.pollReplacements;
    const lastEventId = store.lastEventId;
    const close = () => {
      if (!open) return;
      open = false;
      if (closeSubscription === close) closeSubscription = null;
      handle?.unsubscribe();
    };
    closeSubscription = close;
    handle = client.subscribe(lastEventId ? { sessionId, lastEventId } : { sessionId }, {
      onData({ id, data }) {
        if (!open) return;
        if (
          store.pollReplacements !== replacements &&
          data.type !== 'snapshot' &&
          data.type !== 'message-start'
        ) {
          // Polling replaced a reply's text after this subscription asked to resume: its
          // events continue something else. Start again (from a snapshot).
          subscribe();
          return;
        }
        replacements = store.pollReplacements;
        resubscribeAttempts = 0;
        store.apply(id, data);
        dispatch({ type: 'subscription-data', at: timers.now() });
      },
      onConnectionStateChange(change) {
        if (!open) return;
        const at = timers.now();
        if (change.state === 'pending') {
          dispatch({ type: 'subscription-connected', at });
          // Through (again): what ended or started while we were away.
          void refresh();
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
        // The session's stream does not end; the server went away politely. Again.
        if (!open) return;
        close();
        scheduleResubscribe();
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
    client.getSession(sessionId).then(
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

  /** One `chat.getSession`, merged: the stream stays the source of replies it is writing. */
  function refresh(): Promise<void> {
    if (!running) return Promise.resolve();
    const token = pollToken;
    return client.getSession(sessionId).then(
      (view) => {
        // A poll in between has the newer answer.
        if (running && token === pollToken) store.applySession(view, 'merge');
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
    client
      .getSession(sessionId)
      .then(
        (view) => {
          if (!current()) return;
          store.applySession(view, 'replace');
          dispatch({ type: 'poll-succeeded', at: timers.now() });
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
          const interval = store.streaming ? settings.pollIntervalMs : settings.idlePollIntervalMs;
          pollTimer = timers.setTimeout(poll, interval);
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

  return {
    start() {
      if (running) return;
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
