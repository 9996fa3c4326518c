import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ProviderEvent } from './provider';

/** What one SSE message means: the events it yields, and whether the stream is over. */
export interface InterpretedMessage {
  events: ProviderEvent[];
  done?: boolean;
}

/**
 * Reads an SSE body into normalised events, one wire format's `interpret` at a time. Bytes
 * are decoded with a streaming TextDecoder (multibyte characters split across reads stay
 * whole) and framed by eventsource-parser (comments, CRLF, a last event without a blank line
 * after it). A comment is a keep-alive.
 */
export async function* readEventStream(
  body: AsyncIterable<Uint8Array>,
  interpret: (message: EventSourceMessage) => InterpretedMessage,
): AsyncGenerator<ProviderEvent> {
  const pending: ProviderEvent[] = [];
  let done = false;
  const parser = createParser({
    onEvent(message) {
      if (done) return;
      const interpreted = interpret(message);
      for (const event of interpreted.events) pending.push(event);
      if (interpreted.done) done = true;
    },
    onComment() {
      if (!done) pending.push({ type: 'keep-alive' });
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    yield* pending.splice(0);
    if (done) return;
  }
  // A last event with no terminating blank line still counts (an empty one is ignored).
  parser.feed(`${decoder.decode()}\n\n`);
  yield* pending.splice(0);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one `data:` payload as a JSON object, or says why not. */
export function parseJsonObject(
  data: string,
): { success: true; value: Record<string, unknown> } | { success: false; error: string } {
  try {
    const parsed: unknown = JSON.parse(data);
    if (isObject(parsed)) return { success: true, value: parsed };
    return { success: false, error: 'not a JSON object' };
  } catch {
    return { success: false, error: 'not JSON' };
  }
}
