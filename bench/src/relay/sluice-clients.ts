import { setMaxListeners } from 'node:events';
import type { AppRouter } from '@sluice/server';
import type { ChatEvent, PlanEvent } from '@sluice/shared';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import { apiKeyHeaders, refusalMessage, ServerRefusedError } from './bench-account';
import {
  type ClientStream,
  createClientStream,
  createOpenCounter,
  delayUntil,
  errorMessage,
  type LoadOptions,
  type LoadResult,
  receiveText,
  wallClock,
} from './client-stream';
import { benchGoals, benchModel, streamTag } from './stream-tag';

export type SluiceClient = TRPCClient<AppRouter>;

export interface SluiceClientOptions {
  /** Sent as `Authorization: Bearer` on every batch and every SSE request (reconnects too). */
  apiKey: string;
  /** Called when the server answers an SSE request with an error status (401, 429, …). */
  onRefusal?: (message: string) => void;
}

/** The real client stack, as apps use it: splitLink → httpSubscriptionLink | httpBatchLink. */
export function createSluiceClient(baseUrl: string, options: SluiceClientOptions): SluiceClient {
  const url = `${baseUrl}/trpc`;
  const headers = apiKeyHeaders(options.apiKey);
  // The eventsource polyfill's fetch: adds the key, and names a refusal before the polyfill
  // turns it into a bare error event.
  const eventSourceFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, { ...init, headers: { ...init?.headers, ...headers } });
    if (response.status >= 400 && options.onRefusal) {
      const body = await response
        .clone()
        .text()
        .catch(() => '');
      options.onRefusal(refusalMessage('a plan.events subscription', response.status, body));
    }
    return response;
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({ fetch: eventSourceFetch }),
        }),
        false: httpBatchLink({ url, headers, maxItems: 50, maxURLLength: 8000 }),
      }),
    ],
  });
}

/** The HTTP status of a refused call (4xx), or undefined for other failures (deadline, network). */
function refusedStatus(error: unknown): number | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = error.data as { httpStatus?: unknown } | undefined;
  const meta = error.meta as { response?: { status?: unknown } } | undefined;
  const status = data?.httpStatus ?? meta?.response?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** A refused call's message, or undefined when `error` is not a refusal. */
function refusalOf(what: string, error: unknown): string | undefined {
  const status = refusedStatus(error);
  return status === undefined ? undefined : refusalMessage(what, status, errorMessage(error));
}

/** Applies a plan's or a reply's event to the stream's text; `finish` at its `end`. */
function receiveEvent(
  stream: ClientStream,
  event: PlanEvent | ChatEvent,
  finish: () => void,
): void {
  if (event.type === 'text-delta') receiveText(stream, stream.text + event.text);
  else if (event.type === 'snapshot') {
    if (event.content !== stream.text) receiveText(stream, event.content);
  } else if (event.type === 'end') {
    stream.ended = true;
    stream.endStatus = event.reason ? `${event.status}/${event.reason}` : event.status;
    finish();
  }
}

/** How a subscription ends without its `end` event: an error (maybe a refusal), or completion. */
function subscriptionEnd(
  stream: ClientStream,
  procedure: string,
  onRefusal: (message: string) => void,
  finish: () => void,
) {
  return {
    onError(error: unknown) {
      stream.error = errorMessage(error);
      const refusal = refusalOf(procedure, error);
      if (refusal) onRefusal(refusal);
      finish();
    },
    onComplete() {
      if (!stream.ended) stream.error ??= 'the subscription completed without its end event';
      finish();
    },
  };
}

/** plan.create, then plan.events until `end`. */
function followPlan(
  client: SluiceClient,
  stream: ClientStream,
  planId: string,
  signal: AbortSignal,
  counter: ReturnType<typeof createOpenCounter>,
  onRefusal: (message: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    let started = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (started) counter.closed();
      signal.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
      resolve();
    };
    const onAbort = () => {
      stream.error ??= 'deadline';
      finish();
    };
    const subscription = client.plan.events.subscribe(
      { planId },
      {
        onStarted() {
          if (started) return;
          started = true;
          stream.openedAt = wallClock();
          counter.opened();
        },
        onConnectionStateChange(state) {
          if (state.state === 'connecting' && state.error) stream.reconnects += 1;
        },
        onData(tracked) {
          receiveEvent(stream, tracked.data as PlanEvent, finish);
        },
        ...subscriptionEnd(stream, 'plan.events', onRefusal, finish),
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface SluiceLoadResult extends LoadResult {
  client: SluiceClient;
  /** Plan id by stream tag (the plans path). */
  planIds: Map<string, string>;
  /** Session and reply ids by stream tag (the chat path). */
  replies: Map<string, { sessionId: string; messageId: string }>;
}

/**
 * N clients of the Sluice server, started evenly over the ramp. The first refusal (401, 429,
 * …) stops every stream and throws ServerRefusedError: a refused run measures nothing.
 */
export async function runSluiceClients(
  options: LoadOptions & { apiKey: string },
): Promise<SluiceLoadResult> {
  let refusal: string | undefined;
  const refused = new AbortController();
  const onRefusal = (message: string) => {
    refusal ??= message;
    refused.abort();
  };
  const signal = AbortSignal.any([options.signal, refused.signal]);
  // Every stream listens for the end of the run (a few listeners each).
  setMaxListeners(0, signal);
  const client = createSluiceClient(options.url, { apiKey: options.apiKey, onRefusal });
  const counter = createOpenCounter();
  const planIds = new Map<string, string>();
  const start = wallClock();
  const streams = Array.from({ length: options.streams }, (_, index) =>
    createClientStream(streamTag(options.runId, index)),
  );
  await Promise.all(
    streams.map(async (stream, index) => {
      await delayUntil(start + (options.rampMs * index) / options.streams, signal);
      if (signal.aborted) return;
      stream.startedAt = wallClock();
      try {
        const { planId } = await client.plan.create.mutate(
          { goals: benchGoals(stream.tag), model: benchModel(options.pieces) },
          { signal },
        );
        stream.acceptedAt = wallClock();
        planIds.set(stream.tag, planId);
        await followPlan(client, stream, planId, signal, counter, onRefusal);
      } catch (error) {
        const refusalOfCreate = refusalOf('plan.create', error);
        if (refusalOfCreate) onRefusal(refusalOfCreate);
        stream.error = signal.aborted ? 'deadline' : errorMessage(error);
      }
    }),
  );
  if (refusal) throw new ServerRefusedError(refusal);
  return { streams, peakOpenStreams: counter.peak, client, planIds, replies: new Map() };
}

export interface PersistedPlan {
  content: string;
  status: string;
}

/** Reads every plan back with plan.get (batched), to check what was saved; a refusal throws. */
export async function readPersistedPlans(
  client: SluiceClient,
  planIds: ReadonlyMap<string, string>,
): Promise<Map<string, PersistedPlan>> {
  const persisted = new Map<string, PersistedPlan>();
  await Promise.all(
    [...planIds].map(async ([tag, planId]) => {
      try {
        const plan = await client.plan.get.query({ planId });
        const status = plan.reason ? `${plan.status}/${plan.reason}` : plan.status;
        persisted.set(tag, { content: plan.content, status });
      } catch (error) {
        const refusal = refusalOf('plan.get', error);
        if (refusal) throw new ServerRefusedError(refusal);
        persisted.set(tag, { content: '', status: `plan.get failed: ${errorMessage(error)}` });
      }
    }),
  );
  return persisted;
}

/**
 * chat.createSession, then chat.events, then (once the subscription is open) chat.send; the
 * reply's events until its `end`. The stream starts at the first request (createSession).
 */
function followReply(
  client: SluiceClient,
  stream: ClientStream,
  sessionId: string,
  content: string,
  signal: AbortSignal,
  counter: ReturnType<typeof createOpenCounter>,
  onRefusal: (message: string) => void,
  onSent: (messageId: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    let started = false;
    let messageId: string | undefined;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (started) counter.closed();
      signal.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
      resolve();
    };
    const onAbort = () => {
      stream.error ??= 'deadline';
      finish();
    };
    const send = () => {
      client.chat.send.mutate({ sessionId, content }, { signal }).then(
        (sent) => {
          stream.acceptedAt = wallClock();
          messageId = sent.messageId;
          onSent(sent.messageId);
        },
        (error: unknown) => {
          stream.error = signal.aborted ? 'deadline' : errorMessage(error);
          const refusal = refusalOf('chat.send', error);
          if (refusal) onRefusal(refusal);
          finish();
        },
      );
    };
    const subscription = client.chat.events.subscribe(
      { sessionId },
      {
        onStarted() {
          if (started) return;
          started = true;
          stream.openedAt = wallClock();
          counter.opened();
          send();
        },
        onConnectionStateChange(state) {
          if (state.state === 'connecting' && state.error) stream.reconnects += 1;
        },
        onData(tracked) {
          const event = tracked.data as ChatEvent;
          // The session has one reply; its id may arrive after its first events.
          if (event.messageId === null || (messageId && event.messageId !== messageId)) return;
          receiveEvent(stream, event, finish);
        },
        ...subscriptionEnd(stream, 'chat.events', onRefusal, finish),
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * N chat clients of the Sluice server, started evenly over the ramp: each makes a session
 * whose model is the bench's, subscribes to it and sends one message. A refusal stops all.
 */
export async function runSluiceChatClients(
  options: LoadOptions & { apiKey: string },
): Promise<SluiceLoadResult> {
  let refusal: string | undefined;
  const refused = new AbortController();
  const onRefusal = (message: string) => {
    refusal ??= message;
    refused.abort();
  };
  const signal = AbortSignal.any([options.signal, refused.signal]);
  setMaxListeners(0, signal);
  const client = createSluiceClient(options.url, { apiKey: options.apiKey, onRefusal });
  const counter = createOpenCounter();
  const replies = new Map<string, { sessionId: string; messageId: string }>();
  const start = wallClock();
  const streams = Array.from({ length: options.streams }, (_, index) =>
    createClientStream(streamTag(options.runId, index)),
  );
  await Promise.all(
    streams.map(async (stream, index) => {
      await delayUntil(start + (options.rampMs * index) / options.streams, signal);
      if (signal.aborted) return;
      stream.startedAt = wallClock();
      try {
        const session = await client.chat.createSession.mutate(
          { title: stream.tag, model: benchModel(options.pieces) },
          { signal },
        );
        await followReply(
          client,
          stream,
          session.id,
          benchGoals(stream.tag),
          signal,
          counter,
          onRefusal,
          (messageId) => replies.set(stream.tag, { sessionId: session.id, messageId }),
        );
      } catch (error) {
        const refusalOfCreate = refusalOf('chat.createSession', error);
        if (refusalOfCreate) onRefusal(refusalOfCreate);
        stream.error = signal.aborted ? 'deadline' : errorMessage(error);
      }
    }),
  );
  if (refusal) throw new ServerRefusedError(refusal);
  return { streams, peakOpenStreams: counter.peak, client, planIds: new Map(), replies };
}

/** Reads every reply back with chat.getSession (batched), to check what was saved. */
export async function readPersistedReplies(
  client: SluiceClient,
  replies: ReadonlyMap<string, { sessionId: string; messageId: string }>,
): Promise<Map<string, PersistedPlan>> {
  const persisted = new Map<string, PersistedPlan>();
  await Promise.all(
    [...replies].map(async ([tag, { sessionId, messageId }]) => {
      try {
        const { messages } = await client.chat.getSession.query({ sessionId });
        const reply = messages.find((message) => message.id === messageId);
        const status = reply?.reason ? `${reply.status}/${reply.reason}` : String(reply?.status);
        persisted.set(tag, { content: reply?.content ?? '', status });
      } catch (error) {
        const refusal = refusalOf('chat.getSession', error);
        if (refusal) throw new ServerRefusedError(refusal);
        persisted.set(tag, {
          content: '',
          status: `chat.getSession failed: ${errorMessage(error)}`,
        });
      }
    }),
  );
  return persisted;
}
