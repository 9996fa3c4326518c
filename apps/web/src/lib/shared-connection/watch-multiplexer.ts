import type { StreamChannel, StreamWatchMessage } from '@sluice/shared';
import type { ChannelErrorInfo, ChannelMessage, ChannelRequest } from './channel-messages';

/** The one `stream.watch` subscription (the real httpSubscriptionLink in the app). */
export type WatchSubscribe = (
  channels: StreamChannel[],
  handlers: {
    onData(message: StreamWatchMessage): void;
    onConnectionStateChange(change: {
      state: 'idle' | 'connecting' | 'pending';
      error: unknown;
    }): void;
    onError(error: unknown): void;
    onComplete(): void;
  },
) => { unsubscribe(): void };

export interface WatchMultiplexerOptions {
  subscribe: WatchSubscribe;
  /** Waits before subscribing again after the connection dropped, by attempt. */
  reconnectDelaysMs?: readonly number[];
  /** Gathers changes (several tabs opening at once) into one resubscription. */
  batchMs?: number;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface WatchMultiplexer {
  /** Starts (or restarts, from `request.lastEventId`) one channel; `key` names it. */
  open(key: string, request: ChannelRequest, sink: (message: ChannelMessage) => void): void;
  close(key: string): void;
  /** Channels carried now, and `stream.watch` subscriptions opened so far. */
  stats(): { channels: number; subscriptions: number };
}

/** An error as a tab can receive it: its message, tRPC code and status. */
export function errorInfoOf(error: unknown): ChannelErrorInfo {
  const data = (error as { data?: { code?: unknown; httpStatus?: unknown } } | null)?.data;
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: unknown } | null)?.cause;
  return {
    message,
    ...(typeof data?.code === 'string' ? { code: data.code } : {}),
    ...(typeof data?.httpStatus === 'number' ? { httpStatus: data.httpStatus } : {}),
    ...(cause instanceof TypeError || error instanceof TypeError ? { unreachable: true } : {}),
  };
}

/**
 * Holds the one `stream.watch` subscription for every channel that tabs follow. Each
 * channel keeps its own last event id; whenever the set changes, or the connection
 * drops, it subscribes again with the whole set, each channel from its last id, so no
 * event is lost or repeated. (The link's own reconnect would resend the first input,
 * so a drop is handled here: the old subscription is closed before anything else arrives.)
 */
export function createWatchMultiplexer(options: WatchMultiplexerOptions): WatchMultiplexer {
  const setTimer = options.setTimeout ?? ((callback, ms) => setTimeout(callback, ms));
  const clearTimer =
    options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const delays = options.reconnectDelaysMs ?? [250, 1_000, 2_000, 4_000, 8_000];
  const channels = new Map<
    string,
    { request: ChannelRequest; sink: (message: ChannelMessage) => void }
  >();
  let current: { unsubscribe(): void; keys: string[] } | null = null;
  let timer: unknown;
  let scheduled = false;
  let failures = 0;
  let subscriptions = 0;

  function send(key: string, message: ChannelMessage): void {
    channels.get(key)?.sink(message);
  }

  function schedule(ms: number): void {
    if (scheduled) clearTimer(timer);
    scheduled = true;
    timer = setTimer(() => {
      scheduled = false;
      resubscribe();
    }, ms);
  }

  function stop(): void {
    const previous = current;
    current = null;
    previous?.unsubscribe();
  }

  function resubscribe(): void {
    stop();
    if (channels.size === 0) return;
    const keys = [...channels.keys()];
    const input = keys.map((key): StreamChannel => {
      const { request } = channels.get(key) as { request: ChannelRequest };
      return request.lastEventId
        ? { kind: request.kind, id: request.id, lastEventId: request.lastEventId }
        : { kind: request.kind, id: request.id };
    });
    subscriptions += 1;
    let open = true;
    const self = {
      keys,
      unsubscribe() {
        open = false;
        handle.unsubscribe();
      },
    };
    const isCurrent = () => open && current === self;
    const keyOf = (index: number) => {
      const key = keys[index];
      return key !== undefined && channels.has(key) ? key : undefined;
    };
    current = self;
    const handle = options.subscribe(input, {
      onData(message) {
        if (!isCurrent()) return;
        failures = 0;
        const key = keyOf(message.channel);
        if (!key) return;
        if ('event' in message) {
          const channel = channels.get(key);
          if (channel) channel.request = { ...channel.request, lastEventId: message.id };
          send(key, { type: 'data', id: message.id, event: message.event });
        } else if ('error' in message) {
          const sink = channels.get(key)?.sink;
          channels.delete(key);
          sink?.({
            type: 'error',
            error: { ...message.error, httpStatus: httpStatusOf(message.error.code) },
          });
        } else {
          const sink = channels.get(key)?.sink;
          channels.delete(key);
          sink?.({ type: 'complete' });
        }
      },
      onConnectionStateChange(change) {
        if (!isCurrent() || change.state === 'idle') return;
        const error = change.error ? errorInfoOf(change.error) : null;
        for (const key of keys) send(key, { type: 'state', state: change.state, error });
        if (change.state === 'connecting' && change.error) {
          // Dropped: subscribe again ourselves, each channel from its own last id.
          stop();
          const delay = delays[Math.min(failures, delays.length - 1)] ?? 1_000;
          failures += 1;
          schedule(delay);
        } else if (change.state === 'pending') {
          failures = 0;
        }
      },
      onError(error) {
        if (!isCurrent()) return;
        current = null;
        // Refused as a whole (signed out, too many subscriptions): every channel hears it
        // and decides, as a lone subscription would.
        const info = errorInfoOf(error);
        const sinks = keys.flatMap((key) => {
          const channel = channels.get(key);
          channels.delete(key);
          return channel ? [channel.sink] : [];
        });
        for (const sink of sinks) sink({ type: 'error', error: info });
        if (channels.size > 0) schedule(0);
      },
      onComplete() {
        if (!isCurrent()) return;
        current = null;
        if (channels.size > 0) schedule(0);
      },
    });
    if (!open) handle.unsubscribe();
  }

  return {
    open(key, request, sink) {
      channels.set(key, { request, sink });
      schedule(options.batchMs ?? 5);
    },
    close(key) {
      if (!channels.delete(key)) return;
      // Only a channel that is carried now needs a new subscription without it.
      if (current?.keys.includes(key) || scheduled) schedule(options.batchMs ?? 5);
    },
    stats: () => ({ channels: channels.size, subscriptions }),
  };
}

function httpStatusOf(code: string): number | undefined {
  const statuses: Record<string, number> = {
    NOT_FOUND: 404,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    BAD_REQUEST: 400,
    TOO_MANY_REQUESTS: 429,
  };
  return statuses[code];
}
