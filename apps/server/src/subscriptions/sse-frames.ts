/**
 * Server-Sent Events frames exactly as tRPC 11's `sseStreamProducer` writes them
 * (`event:`, `data:`, `id:` lines, then a blank line and one more newline), so
 * `httpSubscriptionLink` reads them unchanged.
 */

export interface SseFrame {
  bytes: Buffer;
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

function formatDataFrame(data: unknown, id: string | undefined): SseFrame {
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
      frames.set(data, { id, frame: created });
      return created;
    },
    /** How many frames were serialised, and how many were served from the cache. */
    stats: () => ({ formatted, reused }),
  };
}
