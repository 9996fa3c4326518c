import { parseEventId, type StreamPosition } from '@sluice/shared';
import { createStreamLog, type LoggedEvent, type StreamLog } from './stream-log';

type TextDelta = { type: 'text-delta'; text: string };

/**
 * Rebuilds a generation's log on another instance from the messages its owner published
 * (its Redis stream), so that replay there is exactly replay on the owner. Null when the
 * messages do not fit together (one is missing): the caller reads the database instead.
 */
export function rebuildStreamLog<TEvent extends { type: string }>(
  messages: ReadonlyArray<LoggedEvent<TEvent | TextDelta>>,
): StreamLog<TEvent> | null {
  const log = createStreamLog<TEvent>();
  for (const message of messages) {
    const appended =
      message.event.type === 'text-delta'
        ? log.appendText((message.event as TextDelta).text)
        : log.appendEvent(message.event as TEvent);
    if (appended.id !== message.id) return null;
  }
  return log;
}

/**
 * The part of a live message a subscriber has not been sent yet, given the position it has
 * reached: the message itself, the end of a text-delta that straddles the position (live
 * deltas merge while they wait), or undefined when it has all of it.
 */
export function unseenPart<TEvent extends { type: string }>(
  message: LoggedEvent<TEvent | TextDelta>,
  reached: StreamPosition,
): LoggedEvent<TEvent | TextDelta> | undefined {
  const end = parseEventId(message.id);
  if (!end) return message;
  if (end.offset <= reached.offset && end.count <= reached.count) return undefined;
  if (message.event.type !== 'text-delta' || end.count !== reached.count) return message;
  const text = (message.event as TextDelta).text;
  const start = end.offset - text.length;
  if (start >= reached.offset) return message;
  return { ...message, event: { type: 'text-delta', text: text.slice(reached.offset - start) } };
}
