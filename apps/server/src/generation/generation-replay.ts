import {
  type GenerationStatus,
  parseEventId,
  type SnapshotEvent,
  type StreamPosition,
} from '@sluice/shared';
import type { GenerationEvent } from './generation-engine';
import { unseenPart } from './rebuild-stream-log';
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
 * How far each generation was sent to one subscriber: a live event it already has (the
 * observer subscribes before it reads the log, or reads it from another instance) is
 * dropped, and a live text-delta that straddles that point (deltas merge while they wait)
 * is cut to its unsent end.
 */
export function createSentPositions() {
  const reached = new Map<string, StreamPosition>();
  return {
    /** Whether anything of this generation was sent yet. */
    has(generationId: string): boolean {
      return reached.has(generationId);
    },
    /** The part of `message` not sent yet, recorded as sent; undefined when all of it was. */
    advance<TEvent extends { type: string }>(
      generationId: string,
      message: LoggedEvent<TEvent>,
    ): LoggedEvent<TEvent> | undefined {
      const position = parseEventId(message.id);
      const previous = reached.get(generationId);
      const unsent = previous
        ? (unseenPart(message as LoggedEvent<{ type: string }>, previous) as
            | LoggedEvent<TEvent>
            | undefined)
        : message;
      if (unsent && position) reached.set(generationId, position);
      return unsent;
    },
  };
}
