import { parseEventId } from '@sluice/shared';
import type { EventBus } from './event-bus';
import type { GenerationCluster } from './generation-cluster';
import type { GenerationMessage, LiveGeneration } from './generation-engine';
import { catchUpEvents, type ReplayedEvent } from './generation-replay';
import type { StoredStream } from './generation-store';
import { createPushStream, type PushSink, type PushStream } from './push-stream';
import { createSubscriberQueue } from './subscriber-queue';
import { subscribeShared } from './topic-listeners';

export type ObservedMessage<TSemantic extends { type: string }> = ReplayedEvent<TSemantic>;

export interface ObserveOptions<TSemantic extends { type: string }> {
  bus: EventBus<GenerationMessage<TSemantic>>;
  topic: string;
  generationId: string;
  live: () => LiveGeneration<TSemantic> | undefined;
  /** Reads a generation that is not running here; throws when it does not exist. */
  loadStored: () => Promise<StoredStream<TSemantic>>;
  /** Several instances: a generation running on another one is followed from its history. */
  cluster?: GenerationCluster<TSemantic>;
  /** The document as far as `content` goes (a snapshot of a generation running elsewhere). */
  documentOfContent?: (content: string) => unknown;
  lastEventId?: string | null;
  signal: AbortSignal;
}

/**
 * Follows one generation for one subscriber: exactly what it missed since
 * `lastEventId` (or a snapshot when that cannot be done exactly), then the live
 * tail, ending after `end`. Subscribes to the bus before reading the log, then
 * drops live events it already sent. Piped, a caught-up subscriber gets each live
 * event in the bus's publish call (see PushStream).
 */
export function observeGeneration<TSemantic extends { type: string }>(
  options: ObserveOptions<TSemantic>,
): PushStream<ObservedMessage<TSemantic>> {
  return createPushStream<ObservedMessage<TSemantic>>(
    (sink) => followGeneration(options, sink),
    () => createSubscriberQueue<ObservedMessage<TSemantic>['event']>(options.signal),
  );
}

function followGeneration<TSemantic extends { type: string }>(
  options: ObserveOptions<TSemantic>,
  sink: PushSink<ObservedMessage<TSemantic>>,
): () => void {
  let stopped = false;
  /** The last sequence sent: a live event at or before it was sent by catch-up already. */
  let lastSequence = Number.NEGATIVE_INFINITY;
  /** Live events that arrive while the subscriber catches up (only while reading the store). */
  let waiting: Array<GenerationMessage<TSemantic>> | undefined;
  let release: (() => void) | undefined;

  function stop(): void {
    if (stopped) return;
    stopped = true;
    waiting = undefined;
    unsubscribe();
    release?.();
    options.signal.removeEventListener('abort', stop);
  }

  function deliver(message: ObservedMessage<TSemantic>): void {
    if (stopped || message.sequence <= lastSequence) return;
    lastSequence = message.sequence;
    sink.next(message);
    if (message.event.type === 'end') {
      stop();
      sink.complete();
    }
  }

  const unsubscribe = subscribeShared(options.bus, options.topic, (message) => {
    if (waiting) waiting.push(message);
    else deliver(message);
  });
  if (options.signal.aborted) {
    stop();
    return stop;
  }
  options.signal.addEventListener('abort', stop, { once: true });

  const from = parseEventId(options.lastEventId);
  /** Catch-up from the log of a generation running here, read in one synchronous call. */
  function followLive(generation: LiveGeneration<TSemantic>): void {
    release = generation.attach();
    for (const message of catchUpEvents(generation.log, 'generating', from, () =>
      generation.document?.snapshot(),
    )) {
      deliver(message);
    }
  }

  // One instance: the in-process bus subscribed synchronously, so the live log can be read now
  // and nothing can be published meanwhile.
  if (!options.cluster) {
    const generation = options.live();
    if (generation) {
      followLive(generation);
      return stop;
    }
  }

  // Live events wait while the history is read (a shared bus also subscribes asynchronously:
  // the log is read only once live events are sure to arrive).
  waiting = [];
  const found = (async () => {
    await options.cluster?.subscribed(options.topic);
    if (stopped) return undefined;
    const generation = options.live();
    if (generation) return { generation, source: undefined };
    return { generation: undefined, source: await notRunningHere(options) };
  })();
  found.then(
    (result) => {
      if (stopped || !result) return;
      const live = waiting ?? [];
      waiting = undefined;
      if (result.generation) {
        followLive(result.generation);
        for (const message of live) deliver(message);
        return;
      }
      const source = result.source;
      if (source.status === 'generating') release = options.cluster?.watch(options.generationId);
      for (const message of catchUpEvents(source.log, source.status, from, source.documentOf)) {
        deliver(message);
      }
      // A finished stream read back from the database has nothing live to wait for.
      if (source.status !== 'generating') {
        if (!stopped) {
          stop();
          sink.complete();
        }
        return;
      }
      for (const message of live) deliver(message);
    },
    (error: unknown) => {
      if (stopped) return;
      stop();
      sink.error(error);
    },
  );
  return stop;
}

/**
 * A generation this instance does not run: followed from what its owner published when
 * another instance runs it (or just ran it), else read from the database.
 */
async function notRunningHere<TSemantic extends { type: string }>(
  options: ObserveOptions<TSemantic>,
) {
  const { cluster } = options;
  if (cluster) {
    // Subscribed already: live events published from here on arrive; the history has the rest.
    const remote = await cluster.loadRemote(options.generationId);
    if (remote) {
      return {
        status: remote.status,
        log: remote.log,
        documentOf: () => options.documentOfContent?.(remote.log.content()),
      };
    }
  }
  const stored = await options.loadStored();
  return { status: stored.status, log: stored.log, documentOf: () => stored.document };
}
