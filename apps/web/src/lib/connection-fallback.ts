/** How a page is getting its updates (`data-state` of the connection status). */
export type ConnectionMode = 'live' | 'reconnecting' | 'polling' | 'offline';

/**
 * When to give up on the live subscription and poll instead (`plan.get`, `chat.getSession`), as a pure
 * function of what the connection reported and when.
 */
export interface ConnectionFallbackSettings {
  /** This many subscription failures within `failureWindowMs` switch to polling. */
  failureLimit: number;
  failureWindowMs: number;
  /** Connecting for longer than this without getting through switches to polling. */
  connectingTimeoutMs: number;
}

export const defaultConnectionFallbackSettings: ConnectionFallbackSettings = {
  failureLimit: 3,
  failureWindowMs: 20_000,
  connectingTimeoutMs: 8_000,
};

export interface ConnectionFallbackState {
  mode: ConnectionMode;
  /** When recent subscription failures happened (only those inside the window). */
  failures: readonly number[];
  /** Since when the subscription has been trying to connect, or null while it is through. */
  connectingSince: number | null;
}

export type ConnectionSignal =
  /** A subscription started, or is trying again without an error to report. */
  | { type: 'subscription-connecting'; at: number }
  /** The subscription failed: an error while connecting, a dropped stream, a fatal error. */
  | { type: 'subscription-failed'; at: number }
  /** The server accepted the subscription. */
  | { type: 'subscription-connected'; at: number }
  /** An event arrived over the subscription. */
  | { type: 'subscription-data'; at: number }
  /** Time passes (checked about once a second). */
  | { type: 'tick'; at: number }
  /** A quick check after a failure found no server at all: no point waiting for more. */
  | { type: 'server-unreachable'; at: number }
  | { type: 'poll-succeeded'; at: number }
  /** `unreachable`: no answer from the server at all (as opposed to an error answer). */
  | { type: 'poll-failed'; at: number; unreachable: boolean };

export function initialConnectionFallback(now: number): ConnectionFallbackState {
  return { mode: 'reconnecting', failures: [], connectingSince: now };
}

/** Polling (with or without an answer from the server) instead of the subscription. */
export function isFallbackMode(mode: ConnectionMode): boolean {
  return mode === 'polling' || mode === 'offline';
}

export function nextConnectionFallback(
  state: ConnectionFallbackState,
  signal: ConnectionSignal,
  settings: ConnectionFallbackSettings = defaultConnectionFallbackSettings,
): ConnectionFallbackState {
  const at = signal.at;
  const failures = state.failures.filter((time) => at - time < settings.failureWindowMs);
  const polling: ConnectionFallbackState = { mode: 'polling', failures, connectingSince: null };

  switch (signal.type) {
    case 'subscription-connected':
    case 'subscription-data':
      // Through again, including a background attempt made while polling.
      return { mode: 'live', failures, connectingSince: null };
    case 'server-unreachable':
      return { mode: 'offline', failures, connectingSince: null };
    case 'poll-succeeded':
      return isFallbackMode(state.mode) ? { ...state, failures, mode: 'polling' } : state;
    case 'poll-failed':
      if (!isFallbackMode(state.mode)) return state;
      return signal.unreachable ? { ...state, failures, mode: 'offline' } : state;
  }

  // Connection trouble only matters until the page has fallen back to polling.
  if (isFallbackMode(state.mode)) return { ...state, failures };

  switch (signal.type) {
    case 'subscription-connecting':
      return {
        mode: 'reconnecting',
        failures,
        connectingSince: state.connectingSince ?? at,
      };
    case 'subscription-failed': {
      const recent = [...failures, at];
      if (recent.length >= settings.failureLimit) return { ...polling, failures: recent };
      return {
        mode: 'reconnecting',
        failures: recent,
        connectingSince: state.connectingSince ?? at,
      };
    }
    case 'tick':
      if (
        state.connectingSince !== null &&
        at - state.connectingSince > settings.connectingTimeoutMs
      ) {
        return polling;
      }
      return failures.length === state.failures.length ? state : { ...state, failures };
  }
}
