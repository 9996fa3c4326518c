import type { ProviderEvent } from '../../src/providers/provider';

/** What a replayed capture came out as. */
export interface ReplaySummary {
  text: string;
  reasoning: string;
  finish?: string;
  nativeFinish?: string;
  usage?: { inputTokens: number; outputTokens: number; cost?: number };
  errors: Array<{ kind: string; status?: number; code?: string; retryable: boolean }>;
  keepAlives: number;
  metadataId?: string;
}

export async function* fromChunks(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

export function splitAt(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  if (offset < bytes.length) chunks.push(bytes.subarray(offset));
  return chunks;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function randomSizes(length: number, seed: number, maxSize: number): number[] {
  const random = seededRandom(seed);
  const sizes: number[] = [];
  for (let total = 0; total < length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    sizes.push(size);
    total += size;
  }
  return sizes;
}

/** Reads normalised events into a summary; the last usage and finish win, as in the engine. */
export async function summarise(events: AsyncIterable<ProviderEvent>): Promise<ReplaySummary> {
  const summary: ReplaySummary = { text: '', reasoning: '', errors: [], keepAlives: 0 };
  for await (const event of events) {
    switch (event.type) {
      case 'text-delta':
        summary.text += event.text;
        break;
      case 'reasoning-delta':
        summary.reasoning += event.text;
        break;
      case 'finish':
        summary.finish = event.reason;
        summary.nativeFinish = event.nativeReason;
        break;
      case 'usage':
        summary.usage = {
          inputTokens: event.inputTokens,
          outputTokens: event.outputTokens,
          ...(event.cost === undefined ? {} : { cost: event.cost }),
        };
        break;
      case 'error':
        summary.errors.push({
          kind: event.error.kind,
          status: event.error.status,
          code: event.error.code,
          retryable: event.error.isRetryable,
        });
        break;
      case 'keep-alive':
        summary.keepAlives += 1;
        break;
      case 'response-metadata':
        summary.metadataId ??= event.id;
        break;
    }
  }
  return summary;
}

/** `event:`/`data:` pairs of an LF-framed capture, one data line per event: the tests' oracle. */
export function captureEvents(
  body: string,
): Array<{ event?: string; data: Record<string, unknown> }> {
  const events: Array<{ event?: string; data: Record<string, unknown> }> = [];
  let name: string | undefined;
  for (const line of body.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    if (line.startsWith('data:')) {
      events.push({ event: name, data: JSON.parse(line.slice(5)) as Record<string, unknown> });
      name = undefined;
    }
  }
  return events;
}
