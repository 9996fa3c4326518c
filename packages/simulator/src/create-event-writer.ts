import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { formatFrame, type StreamFrame } from './create-wire-format';

export const keepAliveComment = ': OPENROUTER PROCESSING\n\n';

/** Long enough for each part of a split event to leave in its own TCP segment. */
const splitWriteDelayMs = 1;

export interface EventWriter {
  /** `: OPENROUTER PROCESSING` and a blank line. */
  keepAlive(): Promise<void>;
  /** One `data:` event: a JSON payload or `[DONE]`. */
  data(payload: object | '[DONE]'): Promise<void>;
  /** One event in any wire format (`event:` and `data:`). */
  frame(frame: StreamFrame): Promise<void>;
}

export interface EventWriterOptions {
  /** Aborted when the connection closes: pending writes and delays reject at once. */
  signal: AbortSignal;
  /** Write every event in parts, cutting inside a multibyte character and mid-line. */
  splitUtf8: boolean;
  /** The keep-alive text; default OpenRouter's comment. */
  keepAlive?: string;
}

/**
 * Byte offsets at which to cut one event: in the middle of its first line, and just
 * after the first byte of its first multibyte character.
 */
export function splitOffsets(bytes: Uint8Array): number[] {
  const lineEnd = bytes.indexOf(0x0a);
  const offsets = new Set([Math.floor((lineEnd === -1 ? bytes.length : lineEnd) / 2)]);
  const multibyteStart = bytes.findIndex((byte) => byte >= 0xc0);
  if (multibyteStart !== -1) offsets.add(multibyteStart + 1);
  return [...offsets]
    .filter((offset) => offset > 0 && offset < bytes.length)
    .sort((left, right) => left - right);
}

function splitBytes(bytes: Buffer): Buffer[] {
  const boundaries = [0, ...splitOffsets(bytes), bytes.length];
  return boundaries.slice(1).map((end, index) => bytes.subarray(boundaries[index], end));
}

/**
 * Writes SSE text to a response one `res.write` per event. Each write waits for the
 * previous one to reach the socket, so a slow reader slows the stream down instead of
 * filling memory.
 */
export function createEventWriter(
  response: ServerResponse,
  options: EventWriterOptions,
): EventWriter {
  const { signal } = options;

  const write = (chunk: string | Buffer) =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      response.write(chunk, (error) => {
        // A failed write (EPIPE, ECONNRESET) means the connection is closing: its
        // 'close' event aborts the signal, which rejects this promise.
        if (error) return;
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });

  const writeSplit = async (text: string) => {
    for (const [index, part] of splitBytes(Buffer.from(text)).entries()) {
      if (index > 0) await delay(splitWriteDelayMs, undefined, { signal });
      await write(part);
    }
  };

  const send = options.splitUtf8 ? writeSplit : write;
  return {
    keepAlive: () => send(options.keepAlive ?? keepAliveComment),
    data: (payload) => send(formatFrame({ data: payload })),
    frame: (frame) => send(formatFrame(frame)),
  };
}
