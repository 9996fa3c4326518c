import { setMaxListeners } from 'node:events';
import { type StreamWatchMessage, streamLimits } from '@sluice/shared';
import { TRPCError } from '@trpc/server';

/** Opens one channel's stream (its ownership checked first); throws when it cannot be watched. */
export type ChannelOpener<TEvent> = (
  signal: AbortSignal,
) => Promise<AsyncIterable<{ id: string; event: TEvent }>>;

export type WatchMessage<TEvent> =
  | { channel: number; id: string; event: TEvent }
  | Exclude<StreamWatchMessage, { event: unknown }>;

/** What a channel's subscriber is told when it cannot be watched: the error a lone subscription would get. */
export function channelErrorOf(
  cause: unknown,
  toTrpcError: (cause: unknown) => TRPCError | undefined = () => undefined,
): { code: string; message: string } {
  const error = cause instanceof TRPCError ? cause : toTrpcError(cause);
  if (error && error.code !== 'INTERNAL_SERVER_ERROR') {
    return { code: error.code, message: error.message };
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: 'This stream failed on the server.' };
}

/**
 * Merges many channels into one stream, each message tagged with its channel's index.
 * Every channel is pulled one message at a time (the next once the reader took the last),
 * so a busy channel cannot flood the others, and a channel's own queue keeps merging
 * text while the reader is slow. A channel that fails to open or breaks sends one
 * `error`; one that returns sends `complete`; the others carry on. The stream ends when
 * every channel has, or when `signal` aborts (which also closes every channel's stream).
 */
export async function* watchChannels<TEvent>(
  openers: ReadonlyArray<ChannelOpener<TEvent>>,
  signal: AbortSignal,
  /** Maps what a channel threw to the tRPC error a lone subscription would have answered. */
  toTrpcError?: (cause: unknown) => TRPCError | undefined,
): AsyncGenerator<WatchMessage<TEvent>> {
  const stop = new AbortController();
  // Every channel's stream listens to it (one listener each, up to the channel limit).
  setMaxListeners(streamLimits.maxChannels * 2 + 10, stop.signal);
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();

  const ready: Array<{ message: WatchMessage<TEvent>; taken: () => void }> = [];
  let wake: (() => void) | undefined;
  let running = openers.length;
  const wakeReader = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  stop.signal.addEventListener('abort', wakeReader, { once: true });

  function offer(message: WatchMessage<TEvent>): Promise<void> {
    if (stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      ready.push({ message, taken: resolve });
      wakeReader();
    });
  }

  async function pump(channel: number, open: ChannelOpener<TEvent>): Promise<void> {
    try {
      const messages = await open(stop.signal);
      for await (const { id, event } of messages) {
        if (stop.signal.aborted) return;
        await offer({ channel, id, event });
      }
      await offer({ channel, complete: true });
    } catch (error) {
      await offer({ channel, error: channelErrorOf(error, toTrpcError) });
    } finally {
      running -= 1;
      wakeReader();
    }
  }

  openers.forEach((open, channel) => {
    void pump(channel, open);
  });
  try {
    while (!stop.signal.aborted) {
      const next = ready.shift();
      if (next) {
        next.taken();
        yield next.message;
        continue;
      }
      if (running === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
    for (const waiting of ready.splice(0)) waiting.taken();
  }
}
