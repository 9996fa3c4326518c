import type { AppRouter } from '@sluice/server';
import type { PlanEvent } from '@sluice/shared';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import { EventSource } from 'eventsource';
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

/** The real client stack, as apps use it: splitLink → httpSubscriptionLink | httpBatchLink. */
export function createSluiceClient(baseUrl: string): SluiceClient {
  const url = `${baseUrl}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpBatchLink({ url, maxItems: 50, maxURLLength: 8000 }),
      }),
    ],
  });
}

/** plan.create, then plan.events until `end`. */
function followPlan(
  client: SluiceClient,
  stream: ClientStream,
  planId: string,
  signal: AbortSignal,
  counter: ReturnType<typeof createOpenCounter>,
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
          const event = tracked.data as PlanEvent;
          if (event.type === 'text-delta') receiveText(stream, stream.text + event.text);
          else if (event.type === 'snapshot') {
            if (event.content !== stream.text) receiveText(stream, event.content);
          } else if (event.type === 'end') {
            stream.ended = true;
            stream.endStatus = event.reason ? `${event.status}/${event.reason}` : event.status;
            finish();
          }
        },
        onError(error) {
          stream.error = errorMessage(error);
          finish();
        },
        onComplete() {
          if (!stream.ended) stream.error ??= 'the subscription completed without its end event';
          finish();
        },
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface SluiceLoadResult extends LoadResult {
  client: SluiceClient;
  /** Plan id by stream tag. */
  planIds: Map<string, string>;
}

/** N clients of the Sluice server, started evenly over the ramp. */
export async function runSluiceClients(options: LoadOptions): Promise<SluiceLoadResult> {
  const client = createSluiceClient(options.url);
  const counter = createOpenCounter();
  const planIds = new Map<string, string>();
  const start = wallClock();
  const streams = Array.from({ length: options.streams }, (_, index) =>
    createClientStream(streamTag(options.runId, index)),
  );
  await Promise.all(
    streams.map(async (stream, index) => {
      await delayUntil(start + (options.rampMs * index) / options.streams, options.signal);
      if (options.signal.aborted) return;
      stream.startedAt = wallClock();
      try {
        const { planId } = await client.plan.create.mutate(
          { goals: benchGoals(stream.tag), model: benchModel(options.pieces) },
          { signal: options.signal },
        );
        stream.acceptedAt = wallClock();
        planIds.set(stream.tag, planId);
        await followPlan(client, stream, planId, options.signal, counter);
      } catch (error) {
        stream.error = options.signal.aborted ? 'deadline' : errorMessage(error);
      }
    }),
  );
  return { streams, peakOpenStreams: counter.peak, client, planIds };
}

export interface PersistedPlan {
  content: string;
  status: string;
}

/** Reads every plan back with plan.get (batched), to check what was saved. */
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
        persisted.set(tag, { content: '', status: `plan.get failed: ${errorMessage(error)}` });
      }
    }),
  );
  return persisted;
}
