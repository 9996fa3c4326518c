/**
 * Server-Sent Events frames exactly as tRPC 11's `sseStreamProducer` writes them
 * (`event:`, `data:`, `id:` lines, then a blank line and one more newline), so
 * `httpSubscriptionLink` reads them unchanged.
 */

export interface SseFrame {
  bytes: Buffer;
  /**
   * Set on a text-delta's frame: its event and id, so a subscriber whose socket is not
   * writable can join consecutive deltas into one frame instead of queueing one per token.
   */
  delta?: { event: TextDeltaData; id: string | undefined };
}

/** A text-delta event as it goes on the wire (chat's carries its messageId too). */
export interface TextDeltaData {
  type: 'text-delta';
  text: string;
  messageId?: unknown;
}

function isTextDelta(data: object): data is TextDeltaData {
  const candidate = data as { type?: unknown; text?: unknown };
  return candidate.type === 'text-delta' && typeof candidate.text === 'string';
}

function frame(lines: string): SseFrame {
  return { bytes: Buffer.from(`${lines}\n\n`) };
}

export function connectedFrame(clientOptions: object): SseFrame {
  return frame(`event: connected\ndata: ${JSON.stringify(clientOptions)}\n`);
}

export const pingFrame: SseFrame = frame('event: ping\ndata: \n');

export const returnFrame: SseFrame = frame('event: return\ndata: \n');

export function serializedErrorFrame(errorShape: unknown): SseFrame {
  return frame(`event: serialized-error\ndata: ${JSON.stringify(errorShape)}\n`);
}

export function formatDataFrame(data: unknown, id: string | undefined): SseFrame {
  const json = JSON.stringify(data);
  return frame(id === undefined ? `data: ${json}\n` : `data: ${json}\nid: ${id}\n`);
}

/**
 * Formats data events, once per event object: every subscriber of a generation is
 * handed the same event object by the bus, so they all share one serialised frame.
 */
export function createDataFrameCache() {
  const frames = new WeakMap<object, { id: string | undefined; frame: SseFrame }>();
  let formatted = 0;
  let reused = 0;
  return {
    frameOf(data: unknown, id: string | undefined): SseFrame {
      if (typeof data !== 'object' || data === null) {
        formatted += 1;
        return formatDataFrame(data, id);
      }
      const cached = frames.get(data);
      if (cached && cached.id === id) {
        reused += 1;
        return cached.frame;
      }
      formatted += 1;
      const created = formatDataFrame(data, id);
      if (isTextDelta(data)) created.delta = { event: data, id };
      frames.set(data, { id, frame: created });
      return created;
    },
    /** How many frames were serialised, and how many were served from the cache. */
    stats: () => ({ formatted, reused }),
  };
}
