import { formatEventId, type StreamPosition } from '@sluice/shared';

/** An event as it travels: its id (a stream position) and a sequence number for de-duplication. */
export interface LoggedEvent<TEvent> {
  id: string;
  sequence: number;
  event: TEvent;
}

type TextDelta = { type: 'text-delta'; text: string };

interface Mark<TEvent> {
  /** Content length when the event was recorded. */
  offset: number;
  event: TEvent;
}

export interface StreamLog<TEvent extends { type: string }> {
  readonly length: number;
  readonly markCount: number;
  position(): StreamPosition;
  /** Records streamed text; returns the text-delta to publish. */
  appendText(text: string): LoggedEvent<TEvent | TextDelta>;
  /** Records a non-text event (semantic, usage, end); returns it to publish. */
  appendEvent(event: TEvent): LoggedEvent<TEvent | TextDelta>;
  content(): string;
  /** Marks from `count` on. */
  marksFrom(count: number): readonly TEvent[];
  /**
   * Everything after `from`, as text-deltas and marks in order, or null when the
   * position is not one this log can continue exactly (the caller sends a snapshot).
   */
  replay(from: StreamPosition): Array<LoggedEvent<TEvent | TextDelta>> | null;
}

function logged<TEvent>(offset: number, count: number, event: TEvent): LoggedEvent<TEvent> {
  return { id: formatEventId({ offset, count }), sequence: offset + count, event };
}

/**
 * The record of one stream: text and the events between it. Appends cost O(1);
 * the text is joined lazily and the join is kept, so reads are linear overall.
 */
export function createStreamLog<TEvent extends { type: string }>(): StreamLog<TEvent> {
  let pieces: string[] = [];
  let length = 0;
  const marks: Array<Mark<TEvent>> = [];

  function content(): string {
    if (pieces.length > 1) pieces = [pieces.join('')];
    return pieces[0] ?? '';
  }

  return {
    get length() {
      return length;
    },
    get markCount() {
      return marks.length;
    },
    position: () => ({ offset: length, count: marks.length }),
    appendText(text) {
      pieces.push(text);
      length += text.length;
      return logged<TEvent | TextDelta>(length, marks.length, { type: 'text-delta', text });
    },
    appendEvent(event) {
      marks.push({ offset: length, event });
      return logged<TEvent | TextDelta>(length, marks.length, event);
    },
    content,
    marksFrom: (count) => marks.slice(count).map((mark) => mark.event),
    replay(from) {
      if (from.offset > length || from.count > marks.length) return null;
      const text = content();
      const events: Array<LoggedEvent<TEvent | TextDelta>> = [];
      let cursor = from.offset;
      for (let index = from.count; index < marks.length; index++) {
        const mark = marks[index] as Mark<TEvent>;
        if (mark.offset > cursor) {
          events.push(
            logged(mark.offset, index, {
              type: 'text-delta',
              text: text.slice(cursor, mark.offset),
            }),
          );
          cursor = mark.offset;
        }
        events.push(logged(cursor, index + 1, mark.event));
      }
      if (cursor < length) {
        events.push(logged(length, marks.length, { type: 'text-delta', text: text.slice(cursor) }));
      }
      return events;
    },
  };
}
