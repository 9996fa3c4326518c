import type { GenerationStatus, SnapshotEvent, StreamPosition } from '@sluice/shared';
import type { GenerationEvent } from './generation-engine';
import type { LoggedEvent, StreamLog } from './stream-log';

/**
 * What both observers (one generation, a chat session's replies) share: how a subscriber
 * catches up on a log (exactly from its last event id, else from a snapshot), and how the
 * live tail is de-duplicated against what catch-up already sent.
 */
export type ReplayedEvent<TSemantic extends { type: string }> = LoggedEvent<
  GenerationEvent<TSemantic> | SnapshotEvent
>;

function isTail(event: { type: string }): boolean {
  return event.type === 'usage' || event.type === 'end';
}

/** The position a snapshot covers: all the text and every mark before usage/end. */
export function snapshotPosition(log: StreamLog<{ type: string }>): StreamPosition {
  const marks = log.marksFrom(0);
  let count = marks.length;
  while (count > 0 && isTail(marks[count - 1] as { type: string })) count -= 1;
  return { offset: log.length, count };
}

/**
 * A snapshot of the log (its status, the whole text, the document when there is one),
 * then the events after the position it covers (usage and end when finished).
 * `documentOf` is only called when a snapshot is made (a live document is copied).
 */
export function snapshotEvents<TSemantic extends { type: string }>(
  log: StreamLog<GenerationEvent<TSemantic>>,
  status: GenerationStatus,
  documentOf?: () => unknown,
): Array<ReplayedEvent<TSemantic>> {
  const position = snapshotPosition(log);
  const event: SnapshotEvent = { type: 'snapshot', status, content: log.content() };
  const document = documentOf?.();
  if (document !== undefined && document !== null) event.plan = document as SnapshotEvent['plan'];
  const snapshot: LoggedEvent<SnapshotEvent> = {
    id: `${position.offset}.${position.count}`,
    sequence: position.offset + position.count,
    event,
  };
  return [snapshot, ...(log.replay(position) ?? [])];
}

/**
 * What a subscriber missed: everything after `from` when the log can continue from there
 * exactly, otherwise (or without a position) a snapshot and what follows it.
 */
export function catchUpEvents<TSemantic extends { type: string }>(
  log: StreamLog<GenerationEvent<TSemantic>>,
  status: GenerationStatus,
  from: StreamPosition | null | undefined,
  documentOf?: () => unknown,
): Array<ReplayedEvent<TSemantic>> {
  const replay = from ? log.replay(from) : null;
  return replay ?? snapshotEvents(log, status, documentOf);
}

/**
 * The last sequence sent per generation: a live event at or before it was already sent
 * by catch-up (the observer subscribes before it reads the log, or reads it from another
 * instance) and is dropped. Live events reach the observers one by one, before any merging,
 * so a sequence is enough.
 */
export function createSentSequences() {
  const last = new Map<string, number>();
  return {
    /** Whether anything of this generation was sent yet. */
    has(generationId: string): boolean {
      return last.has(generationId);
    },
    /** Records the event as sent and returns true, or false when it was sent already. */
    advance(generationId: string, sequence: number): boolean {
      const previous = last.get(generationId);
      if (previous !== undefined && sequence <= previous) return false;
      last.set(generationId, sequence);
      return true;
    },
  };
}
