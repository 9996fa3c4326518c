import {
  type GenerationStatus,
  parseEventId,
  type SnapshotEvent,
  type StreamPosition,
} from '@sluice/shared';
import type { EventBus } from './event-bus';
import type { GenerationEvent, GenerationMessage, LiveGeneration } from './generation-engine';
import type { LoggedEvent, StreamLog } from './stream-log';
import { createSubscriberQueue } from './subscriber-queue';

/** A stream read back from the database: its status, a log rebuilt from saved content, its document. */
export interface StoredStream<TSemantic extends { type: string }> {
  status: GenerationStatus;
  log: StreamLog<GenerationEvent<TSemantic>>;
  document: unknown;
}

export type ObservedMessage<TSemantic extends { type: string }> =
  | LoggedEvent<GenerationEvent<TSemantic>>
  | LoggedEvent<SnapshotEvent>;

export interface ObserveOptions<TSemantic extends { type: string }> {
  bus: EventBus<GenerationMessage<TSemantic>>;
  topic: string;
  live: () => LiveGeneration<TSemantic> | undefined;
  /** Reads a generation that is not running here; throws when it does not exist. */
  loadStored: () => Promise<StoredStream<TSemantic>>;
  lastEventId?: string | null;
  signal: AbortSignal;
}

function isTail(event: { type: string }): boolean {
  return event.type === 'usage' || event.type === 'end';
}

/** The position a snapshot covers: all the text and every mark before usage/end. */
function snapshotPosition(log: StreamLog<{ type: string }>): StreamPosition {
  const marks = log.marksFrom(0);
  let count = marks.length;
  while (count > 0 && isTail(marks[count - 1] as { type: string })) count -= 1;
  return { offset: log.length, count };
}

function snapshotMessage(
  log: StreamLog<{ type: string }>,
  status: GenerationStatus,
  document: unknown,
): { message: LoggedEvent<SnapshotEvent>; position: StreamPosition } {
  const position = snapshotPosition(log);
  const event: SnapshotEvent = { type: 'snapshot', status, content: log.content() };
  if (document !== undefined && document !== null) event.plan = document as SnapshotEvent['plan'];
  return {
    message: {
      id: `${position.offset}.${position.count}`,
      sequence: position.offset + position.count,
      event,
    },
    position,
  };
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
          document: undefined,
          live: generation,
        }
      : { ...(await options.loadStored()), live: undefined };
    const resumeFrom = parseEventId(options.lastEventId);
    let initial: Array<ObservedMessage<TSemantic>> | null = resumeFrom
      ? source.log.replay(resumeFrom)
      : null;
    if (!initial) {
      const document = source.live ? source.live.document?.snapshot() : source.document;
      const snapshot = snapshotMessage(source.log, source.status, document);
      initial = [snapshot.message, ...(source.log.replay(snapshot.position) ?? [])];
    }

    let lastSequence = -1;
    for (const message of initial) {
      yield message;
      lastSequence = message.sequence;
      if (message.event.type === 'end') return;
    }
    // A finished stream read back from the database has nothing live to wait for.
    if (!source.live && source.status !== 'generating') return;
    for await (const message of queue.drain()) {
      if (message.sequence <= lastSequence) continue;
      yield message;
      lastSequence = message.sequence;
      if (message.event.type === 'end') return;
    }
  } finally {
    unsubscribe();
    release?.();
  }
}
