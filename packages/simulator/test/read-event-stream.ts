import { createParser } from 'eventsource-parser';

export type StreamItem = { type: 'comment'; text: string } | { type: 'data'; data: string };

export interface ChunkChoice {
  index: number;
  delta: { role?: string; content?: string };
  finish_reason: string | null;
  native_finish_reason?: string | null;
}

/** The parts of a chunk the tests look at. */
export interface Chunk {
  id?: string;
  object?: string;
  error?: { code: number | string; message: string };
  choices?: ChunkChoice[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost: number };
}

export interface EventStreamCapture {
  /** Every comment and data event, in order. */
  items: StreamItem[];
  /** The JSON data events, parsed. */
  chunks: Chunk[];
  /** Every `delta.content` joined, as a client would assemble it. */
  content: string;
  /** Number of non-empty content deltas. */
  contentPieces: number;
  sawDone: boolean;
  /** The bytes of each network read, as the client received them. */
  reads: Uint8Array[];
  /** Set when the body ended with an error (a dropped connection). */
  error?: unknown;
}

export interface EventStreamReader {
  capture: EventStreamCapture;
  /** Reads until `predicate` holds or the body ends; false if it ended first. */
  readUntil(predicate: (capture: EventStreamCapture) => boolean): Promise<boolean>;
  readToEnd(): Promise<EventStreamCapture>;
  /** The next read, or `'timeout'` if nothing arrives within `timeoutMs`. */
  readWithin(timeoutMs: number): Promise<'read' | 'ended' | 'timeout'>;
}

/** Parses an SSE body with eventsource-parser, keeping what a test needs to compare. */
export function createEventStreamReader(response: Response): EventStreamReader {
  if (!response.body) throw new Error('The response has no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const capture: EventStreamCapture = {
    items: [],
    chunks: [],
    content: '',
    contentPieces: 0,
    sawDone: false,
    reads: [],
  };
  const parser = createParser({
    onComment: (text) => capture.items.push({ type: 'comment', text }),
    onEvent: ({ data }) => {
      capture.items.push({ type: 'data', data });
      if (data === '[DONE]') {
        capture.sawDone = true;
        return;
      }
      const chunk = JSON.parse(data) as Chunk;
      capture.chunks.push(chunk);
      const content = chunk.choices?.[0]?.delta.content ?? '';
      capture.content += content;
      if (content !== '') capture.contentPieces += 1;
    },
  });

  const readOnce = async (): Promise<boolean> => {
    const { done, value } = await reader.read();
    if (done) {
      parser.feed(decoder.decode());
      return false;
    }
    capture.reads.push(value);
    parser.feed(decoder.decode(value, { stream: true }));
    return true;
  };

  return {
    capture,
    async readUntil(predicate) {
      while (!predicate(capture)) {
        if (!(await readOnce())) return false;
      }
      return true;
    },
    async readToEnd() {
      try {
        while (await readOnce()) {
          // Keep reading.
        }
      } catch (error) {
        capture.error = error;
      }
      return capture;
    },
    async readWithin(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const read = readOnce().then((more): 'read' | 'ended' => (more ? 'read' : 'ended'));
      try {
        return await Promise.race([read, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export async function readEventStream(response: Response): Promise<EventStreamCapture> {
  return createEventStreamReader(response).readToEnd();
}
