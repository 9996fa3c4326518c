import type { IncomingMessage, ServerResponse } from 'node:http';
import { streamWatchInputSchema } from '@sluice/shared';
import { TRPCError } from '@trpc/server';
import {
  type AnyRouter,
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAbortError,
} from '@trpc/server/unstable-core-do-not-import';
import { createFlushScheduler, createSseConnection, type SseConnection } from './sse-connection';
import {
  connectedFrame,
  pingFrame,
  returnFrame,
  type SseFrame,
  serializedErrorFrame,
} from './sse-frames';
import { sseHeaders } from './subscription-handler';
import type { SubscriptionGrant, SubscriptionLimiter } from './subscription-limiter';

export interface WatchHandlerOptions<TContext> {
  router: AnyRouter;
  basePath: string;
  createContext: (request: IncomingMessage) => Promise<TContext> | TContext;
  /** The same limiter as the other subscriptions: each channel of a watch takes one slot. */
  limiter: SubscriptionLimiter;
  clientKey: (request: IncomingMessage, context: TContext) => string;
  pingIntervalMs: number;
  clientOptions: { reconnectAfterInactivityMs?: number };
  maxQueuedBytes: number;
  overflowLingerMs?: number;
  onError?: (error: TRPCError, path: string) => void;
}

export const watchPath = 'stream.watch';

interface WatchData {
  channel: number;
  id?: string;
  event?: object;
}

/** How many slots a watch takes: one per channel; input the procedure will refuse takes one. */
function channelCountOf(input: unknown): number {
  const parsed = streamWatchInputSchema.safeParse(input);
  return parsed.success ? parsed.data.channels.length : 1;
}

/**
 * Serves `stream.watch` (many generations over one subscription) on the lean SSE writer,
 * in tRPC's wire format: a watch is one connection, but each of its channels counts as a
 * subscription of its client (MAX_SUBSCRIPTIONS_PER_CLIENT, MAX_SUBSCRIPTIONS), so one
 * watch is never a way around the limits. An event that many watchers share is
 * serialised once; only its channel tag and id are written per watcher.
 */
export function createWatchHandler<TContext>(options: WatchHandlerOptions<TContext>) {
  const scheduler = createFlushScheduler({ sliceSize: 500 });
  const connections = new Set<SseConnection>();
  const eventJson = new WeakMap<object, string>();
  let channelsOpen = 0;
  let overflows = 0;
  const config = options.router._def._config;
  const pingTimer = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      if (now - connection.idleSince >= options.pingIntervalMs) connection.send(pingFrame);
    }
  }, options.pingIntervalMs);
  pingTimer.unref();

  function frameOf(data: WatchData): SseFrame {
    let json: string;
    if (data.event && data.id !== undefined) {
      let event = eventJson.get(data.event);
      if (event === undefined) {
        event = JSON.stringify(data.event);
        eventJson.set(data.event, event);
      }
      json = `{"channel":${data.channel},"id":${JSON.stringify(data.id)},"event":${event}}`;
    } else {
      json = JSON.stringify(data);
    }
    return { bytes: Buffer.from(`data: ${json}\n\n\n`) };
  }

  function errorShape(error: TRPCError, input: unknown, context: unknown) {
    return getErrorShape({
      config,
      error,
      type: 'subscription',
      path: watchPath,
      input,
      ctx: context,
    });
  }

  /** Takes one slot per channel, all or none. */
  function acquire(clientKey: string, count: number): SubscriptionGrant {
    const grants: Array<() => void> = [];
    for (let index = 0; index < count; index += 1) {
      const grant = options.limiter.acquire(clientKey);
      if (!grant.granted) {
        for (const release of grants) release();
        return grant;
      }
      grants.push(grant.release);
    }
    let released = false;
    return {
      granted: true,
      release() {
        if (released) return;
        released = true;
        for (const release of grants) release();
      },
    };
  }

  async function stream(
    response: ServerResponse,
    input: unknown,
    context: TContext,
    channels: number,
    release: () => void,
  ): Promise<void> {
    const abort = new AbortController();
    const connection = createSseConnection({
      response,
      scheduler,
      maxQueuedBytes: options.maxQueuedBytes,
      lingerMs: options.overflowLingerMs ?? 30_000,
      onOverflow() {
        overflows += 1;
        abort.abort();
      },
    });
    connections.add(connection);
    channelsOpen += channels;
    response.on('close', () => {
      connections.delete(connection);
      channelsOpen -= channels;
      abort.abort();
      release();
    });
    response.writeHead(200, sseHeaders);
    let iterable: AsyncIterable<WatchData>;
    try {
      iterable = (await callProcedure({
        router: options.router,
        path: watchPath,
        getRawInput: async () => input,
        ctx: context,
        type: 'subscription',
        signal: abort.signal,
        batchIndex: 0,
      })) as AsyncIterable<WatchData>;
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError?.(error, watchPath);
      connection.send(connectedFrame(options.clientOptions));
      connection.send(serializedErrorFrame(errorShape(error, input, context)));
      connection.end();
      return;
    }
    connection.send(connectedFrame(options.clientOptions));
    try {
      for await (const data of iterable) {
        if (abort.signal.aborted) break;
        connection.send(frameOf(data));
      }
      if (!abort.signal.aborted) connection.send(returnFrame);
    } catch (cause) {
      if (!isAbortError(cause) && !abort.signal.aborted) {
        const error = getTRPCErrorFromUnknown(cause);
        options.onError?.(error, watchPath);
        connection.send(serializedErrorFrame(errorShape(error, input, context)));
      }
    }
    connection.end();
  }

  async function start(
    request: IncomingMessage,
    response: ServerResponse,
    input: unknown,
  ): Promise<void> {
    const context = await options.createContext(request);
    if (response.destroyed || request.socket.destroyed) return;
    const channels = channelCountOf(input);
    const grant = acquire(options.clientKey(request, context), channels);
    if (!grant.granted) {
      const error = new TRPCError({ code: 'TOO_MANY_REQUESTS', message: grant.message });
      response.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': '5',
        vary: sseHeaders.vary,
      });
      response.end(JSON.stringify({ error: errorShape(error, undefined, undefined) }));
      return;
    }
    await stream(response, input, context, channels, grant.release);
  }

  return {
    /** Serves the request when it is `stream.watch`; false otherwise. */
    handle(request: IncomingMessage, response: ServerResponse): boolean {
      if (request.method !== 'GET') return false;
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (!url.pathname.startsWith(options.basePath)) return false;
      const path = decodeURIComponent(url.pathname.slice(options.basePath.length));
      if (path !== watchPath || url.searchParams.has('batch')) return false;
      let input: unknown;
      const raw = url.searchParams.get('input');
      try {
        input = raw === null ? undefined : JSON.parse(raw);
      } catch {
        // Left to tRPC, which answers unparsable input the same way.
        return false;
      }
      start(request, response, input).catch((error: unknown) => {
        options.onError?.(getTRPCErrorFromUnknown(error), watchPath);
        response.destroy();
      });
      return true;
    },
    stats() {
      return { open: connections.size, channels: channelsOpen, overflows };
    },
    close(): void {
      clearInterval(pingTimer);
    },
  };
}

export type WatchHandler = ReturnType<typeof createWatchHandler>;
