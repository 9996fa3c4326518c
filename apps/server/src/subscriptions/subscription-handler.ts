import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError } from '@trpc/server';
import {
  type AnyRouter,
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAbortError,
  isTrackedEnvelope,
} from '@trpc/server/unstable-core-do-not-import';
import { isPushStream } from '../generation/push-stream';
import { createFlushScheduler, createSseConnection, type SseConnection } from './sse-connection';
import {
  connectedFrame,
  createDataFrameCache,
  pingFrame,
  returnFrame,
  serializedErrorFrame,
} from './sse-frames';
import type { SubscriptionLimiter } from './subscription-limiter';

export interface SubscriptionHandlerOptions<TContext> {
  router: AnyRouter;
  /** Subscription paths served here, e.g. `plan.events`; the router still declares them. */
  paths: readonly string[];
  basePath: string;
  /** The procedure's context, per request (the caller is resolved from its credentials). */
  createContext: (request: IncomingMessage) => Promise<TContext> | TContext;
  limiter: SubscriptionLimiter;
  /** Who a subscription counts against (its account, or its address when it has none). */
  clientKey: (request: IncomingMessage, context: TContext) => string;
  pingIntervalMs: number;
  /** Sent in the `connected` event, as tRPC's `sse.client` options. */
  clientOptions: { reconnectAfterInactivityMs?: number };
  maxQueuedBytes: number;
  /** A subscriber ended for overflow that still reads nothing is cut off after this. */
  overflowLingerMs?: number;
  /** Subscribers written per event-loop turn. */
  sliceSize?: number;
  onError?: (error: TRPCError, path: string) => void;
}

export const sseHeaders = {
  vary: 'trpc-accept, accept',
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

/**
 * Serves `plan.events` and `chat.events` over SSE without tRPC's per-subscriber
 * stream machinery, speaking its wire format byte for byte: each event is
 * serialised once for all subscribers, writes respect socket backpressure, a slow
 * subscriber's queue is bounded, and open subscriptions are capped per client and
 * in all. The procedure itself (input validation, middleware, resolver) is still
 * the router's, called through `callProcedure`.
 */
export function createSubscriptionHandler<TContext>(options: SubscriptionHandlerOptions<TContext>) {
  const paths = new Set(options.paths);
  const frames = createDataFrameCache();
  const sliceSize = options.sliceSize ?? 500;
  const scheduler = createFlushScheduler({ sliceSize });
  const connections = new Set<SseConnection>();
  let overflows = 0;
  let maxQueuedBytes = 0;
  let joinedDeltas = 0;
  const config = options.router._def._config;

  const pingTimer = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      if (now - connection.idleSince >= options.pingIntervalMs) connection.send(pingFrame);
    }
  }, options.pingIntervalMs);
  pingTimer.unref();

  function errorShape(error: TRPCError, path: string, input: unknown, context: unknown) {
    return getErrorShape({ config, error, type: 'subscription', path, input, ctx: context });
  }

  function refuse(response: ServerResponse, path: string, message: string): void {
    const error = new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
    const body = JSON.stringify({ error: errorShape(error, path, undefined, undefined) });
    response.writeHead(429, {
      'content-type': 'application/json',
      'retry-after': '5',
      vary: sseHeaders.vary,
    });
    response.end(body);
  }

  /** Reads the `input` and `lastEventId` the way tRPC does for a GET subscription. */
  function inputOf(
    url: URL,
    request: IncomingMessage,
  ): { ok: true; input: unknown } | { ok: false } {
    let input: unknown;
    const raw = url.searchParams.get('input');
    if (raw !== null) {
      try {
        input = JSON.parse(raw);
      } catch {
        return { ok: false };
      }
    }
    const header = request.headers['last-event-id'];
    const lastEventId =
      (typeof header === 'string' ? header : undefined) ??
      url.searchParams.get('lastEventId') ??
      url.searchParams.get('Last-Event-Id');
    if (lastEventId) {
      if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
        input = { ...input, lastEventId };
      } else {
        input ??= { lastEventId };
      }
    }
    return { ok: true, input };
  }

  async function stream(
    response: ServerResponse,
    path: string,
    input: unknown,
    context: TContext,
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
    response.on('close', () => {
      if (connection.maxQueuedBytes > maxQueuedBytes) maxQueuedBytes = connection.maxQueuedBytes;
      joinedDeltas += connection.joinedDeltas;
      connections.delete(connection);
      abort.abort();
      release();
    });

    response.writeHead(200, sseHeaders);
    let iterable: AsyncIterable<unknown> | undefined;
    try {
      iterable = (await callProcedure({
        router: options.router,
        path,
        getRawInput: async () => input,
        ctx: context,
        type: 'subscription',
        signal: abort.signal,
        batchIndex: 0,
      })) as AsyncIterable<unknown>;
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError?.(error, path);
      connection.send(connectedFrame(options.clientOptions));
      connection.send(serializedErrorFrame(errorShape(error, path, input, context)));
      connection.end();
      return;
    }
    connection.send(connectedFrame(options.clientOptions));
    const frameOf = (value: unknown) =>
      isTrackedEnvelope(value)
        ? frames.frameOf(value[1], value[0])
        : frames.frameOf(value, undefined);
    if (isPushStream(iterable)) {
      // Each event is written in the call that published it: no generator step, promise or
      // queue per event and subscriber, and the connection's own queue bounds a slow reader.
      // (A plain flag: reading `signal.aborted` per event and subscriber costs more than the send.)
      let open = !abort.signal.aborted;
      abort.signal.addEventListener(
        'abort',
        () => {
          open = false;
        },
        { once: true },
      );
      iterable.pipe({
        next(value) {
          if (open) connection.send(frameOf(value));
        },
        complete() {
          if (!abort.signal.aborted) connection.send(returnFrame);
          connection.end();
        },
        error(cause) {
          if (!isAbortError(cause) && !abort.signal.aborted) {
            const error = getTRPCErrorFromUnknown(cause);
            options.onError?.(error, path);
            connection.send(serializedErrorFrame(errorShape(error, path, input, context)));
          }
          connection.end();
        },
      });
      return;
    }
    try {
      for await (const value of iterable) {
        if (abort.signal.aborted) break;
        connection.send(frameOf(value));
        // Under fan-out load (more subscribers waiting to be written than one slice), take
        // the next event once this one is written, and in turn, a slice of subscribers at a
        // time: what arrives meanwhile merges, so each subscriber costs one write and one
        // resumption per pass, not one per event, and no event wakes every subscriber at
        // once. Otherwise, and always while the socket does not drain, keep taking events
        // so the bounded queue fills.
        if (scheduler.pending > sliceSize && !connection.blocked) {
          await connection.flushed();
          await scheduler.turn();
        }
      }
      if (!abort.signal.aborted) connection.send(returnFrame);
    } catch (cause) {
      if (!isAbortError(cause) && !abort.signal.aborted) {
        const error = getTRPCErrorFromUnknown(cause);
        options.onError?.(error, path);
        connection.send(serializedErrorFrame(errorShape(error, path, input, context)));
      }
    }
    connection.end();
  }

  /** Resolves the context, then takes a slot for its client (synchronously: exact counts). */
  async function start(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    input: unknown,
  ): Promise<void> {
    const context = await options.createContext(request);
    // The client may have gone while its credentials were checked: its `close` has passed,
    // so a slot taken now would never be given back.
    if (response.destroyed || request.socket.destroyed) return;
    const grant = options.limiter.acquire(options.clientKey(request, context));
    if (!grant.granted) {
      refuse(response, path, grant.message);
      return;
    }
    await stream(response, path, input, context, grant.release);
  }

  return {
    /** Serves the request when it is a subscription this handler owns; false otherwise. */
    handle(request: IncomingMessage, response: ServerResponse): boolean {
      if (request.method !== 'GET') return false;
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (!url.pathname.startsWith(options.basePath)) return false;
      const path = decodeURIComponent(url.pathname.slice(options.basePath.length));
      if (!paths.has(path) || url.searchParams.has('batch')) return false;
      const parsed = inputOf(url, request);
      // Anything unusual (unparsable input) is left to tRPC, which answers it the same way.
      if (!parsed.ok) return false;
      start(request, response, path, parsed.input).catch((error: unknown) => {
        options.onError?.(getTRPCErrorFromUnknown(error), path);
        response.destroy();
      });
      return true;
    },
    stats() {
      let queued = 0;
      let currentMax = maxQueuedBytes;
      let joined = joinedDeltas;
      for (const connection of connections) {
        queued += connection.queuedBytes;
        joined += connection.joinedDeltas;
        if (connection.maxQueuedBytes > currentMax) currentMax = connection.maxQueuedBytes;
      }
      return {
        open: connections.size,
        /** Subscribers whose stream was ended because their queue passed the bound. */
        overflows,
        queuedBytes: queued,
        /** The most any one subscriber ever had waiting. */
        maxQueuedBytes: currentMax,
        /** Text-deltas joined into a queued one while their subscriber's socket was not writable. */
        joinedDeltas: joined,
        frames: frames.stats(),
      };
    },
    close(): void {
      clearInterval(pingTimer);
    },
  };
}

export type SubscriptionHandler = ReturnType<typeof createSubscriptionHandler>;
