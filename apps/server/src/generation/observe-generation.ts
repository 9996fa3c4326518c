import { parseEventId } from '@sluice/shared';
import type { EventBus } from './event-bus';
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
  const generation = options.live();
  if (generation) {
    release = generation.attach();
    // The live log is read in this same call: nothing can be published meanwhile.
    for (const message of catchUpEvents(generation.log, 'generating', from, () =>
      generation.document?.snapshot(),
    )) {
      deliver(message);
    }
    return stop;
  }

  waiting = [];
  options.loadStored().then(
    (stored) => {
      if (stopped) return;
      const live = waiting ?? [];
      waiting = undefined;
      for (const message of catchUpEvents(stored.log, stored.status, from, () => stored.document)) {
        deliver(message);
      }
      // A finished stream read back from the database has nothing live to wait for.
      if (stored.status !== 'generating') {
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
