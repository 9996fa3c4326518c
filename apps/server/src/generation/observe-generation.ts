import { parseEventId } from '@sluice/shared';
import type { EventBus } from './event-bus';
import type { GenerationEvent, GenerationMessage, LiveGeneration } from './generation-engine';
import { catchUpEvents, createSentSequences, type ReplayedEvent } from './generation-replay';
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
  const generation = options.live();
  const release = generation?.attach();
  try {
    const source = generation
      ? {
          status: 'generating' as const,
          log: generation.log,
          documentOf: () => generation.document?.snapshot(),
          live: generation,
        }
      : await storedSource(options);
    const initial = catchUpEvents(
      source.log,
      source.status,
      parseEventId(options.lastEventId),
      source.documentOf,
    );

    const sent = createSentSequences();
    for (const message of initial) {
      yield message;
      sent.advance(options.generationId, message.sequence);
      if (message.event.type === 'end') return;
    }
    // A finished stream read back from the database has nothing live to wait for.
    if (!source.live && source.status !== 'generating') return;
    for await (const message of queue.drain()) {
      if (!sent.advance(options.generationId, message.sequence)) continue;
      yield message;
      if (message.event.type === 'end') return;
    }
  } finally {
    unsubscribe();
    release?.();
  }
}

async function storedSource<TSemantic extends { type: string }>(
  options: ObserveOptions<TSemantic>,
) {
  const stored = await options.loadStored();
  return { ...stored, documentOf: () => stored.document, live: undefined };
}
