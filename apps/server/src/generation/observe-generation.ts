import { parseEventId } from '@sluice/shared';
import type { EventBus } from './event-bus';
import type { GenerationCluster } from './generation-cluster';
import type { GenerationEvent, GenerationMessage, LiveGeneration } from './generation-engine';
import { catchUpEvents, createSentPositions, type ReplayedEvent } from './generation-replay';
import type { StoredStream } from './generation-store';
import { createSubscriberQueue } from './subscriber-queue';

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
 * drops live events it already sent.
 */
export async function* observeGeneration<TSemantic extends { type: string }>(
  options: ObserveOptions<TSemantic>,
): AsyncGenerator<ObservedMessage<TSemantic>> {
  const queue = createSubscriberQueue<GenerationEvent<TSemantic>>(options.signal);
  const unsubscribe = options.bus.subscribe(options.topic, queue.push);
  let release: (() => void) | undefined;
  try {
    // A shared bus subscribes asynchronously: read the log only once live events arrive.
    await options.cluster?.subscribed(options.topic);
    const generation = options.live();
    release = generation?.attach();
    const source = generation
      ? {
          status: 'generating' as const,
          log: generation.log,
          documentOf: () => generation.document?.snapshot(),
          live: generation,
        }
      : await notRunningHere(options);
    if (!generation && source.status === 'generating') {
      release = options.cluster?.watch(options.generationId);
    }
    const initial = catchUpEvents(
      source.log,
      source.status,
      parseEventId(options.lastEventId),
      source.documentOf,
    );

    const sent = createSentPositions();
    for (const message of initial) {
      yield message;
      sent.advance(options.generationId, message);
      if (message.event.type === 'end') return;
    }
    // A finished stream read back from the database has nothing live to wait for.
    if (!source.live && source.status !== 'generating') return;
    for await (const message of queue.drain()) {
      const unsent = sent.advance(options.generationId, message);
      if (!unsent) continue;
      yield unsent;
      if (unsent.event.type === 'end') return;
    }
  } finally {
    unsubscribe();
    release?.();
  }
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
        ...remote,
        documentOf: () => options.documentOfContent?.(remote.log.content()),
        live: undefined,
      };
    }
  }
  const stored = await options.loadStored();
  return { ...stored, documentOf: () => stored.document, live: undefined };
}
