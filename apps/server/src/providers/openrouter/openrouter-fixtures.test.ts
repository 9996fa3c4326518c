import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProviderEvent } from '../provider';
import { readChatCompletionStream } from './openrouter-adapter';

const fixturesDirectory = join(import.meta.dirname, '__fixtures__');

interface Expectation {
  /** The last finish reason reported, if any. */
  finish?: string;
  usage?: { inputTokens: number; outputTokens: number; cost?: number };
  /** Kind of the in-stream error, if the capture carries one. */
  errorStatus?: number | string;
  /** Network read sizes recorded with byte-exact captures. */
  reads?: number[];
}

// What each capture must come out as; see __fixtures__/SOURCES.md.
const expectations: Record<string, Expectation> = {
  'openai-chat-include-usage.sse': { finish: 'stop', usage: { inputTokens: 78, outputTokens: 9 } },
  'openai-chat-json-schema.sse': {
    finish: 'stop',
    usage: { inputTokens: 79, outputTokens: 15 },
    reads: [361, 658, 658, 658, 658, 658, 658, 658, 642, 519],
  },
  'openai-chat-tool-call.sse': {
    finish: 'tool_calls',
    usage: { inputTokens: 53, outputTokens: 15 },
  },
  'openrouter-chat-basic.sse': {
    finish: 'stop',
    usage: { inputTokens: 17, outputTokens: 6, cost: 0.0001025 },
  },
  'openrouter-chat-reasoning-claude.sse': {
    finish: 'stop',
    usage: { inputTokens: 43, outputTokens: 36, cost: 0.000669 },
  },
  'openrouter-chat-reasoning-encrypted-o3.sse': {
    finish: 'stop',
    usage: { inputTokens: 9, outputTokens: 104, cost: 0.00085 },
  },
  'openrouter-chat-reasoning-qwen3.sse': {
    finish: 'stop',
    usage: { inputTokens: 42, outputTokens: 355, cost: 0.0005388 },
    reads: [
      25, 25, 808, 448, 436, 3230, 460, 460, 460, 436, 436, 452, 466, 458, 452, 456, 486, 944, 450,
      464, 434, 438, 448, 464, 452, 470, 462, 448, 462, 454, 444, 890, 482, 882, 434, 450, 438, 446,
      460, 436, 436, 440, 474, 460, 450, 464, 468, 438, 1173, 379, 377, 387, 378, 382, 369, 371,
      375, 2991, 369, 1161, 1424,
    ],
  },
  'openrouter-chat-tool-call.sse': {
    finish: 'tool_calls',
    usage: { inputTokens: 48, outputTokens: 11, cost: 3.68e-5 },
  },
  'openrouter-chat-usage-empty-choices.sse': {
    finish: 'stop',
    usage: { inputTokens: 254, outputTokens: 5, cost: 0.000837 },
  },
  'openrouter-error-only-upstream-502.sse': { errorStatus: 502, reads: [25, 25, 25, 25, 230] },
  'openrouter-json-object-tool-args.sse': {
    finish: 'tool_calls',
    usage: { inputTokens: 93, outputTokens: 15, cost: 2.295e-5 },
    reads: [462, 802, 801, 401, 402, 403, 402, 2429, 734, 659, 14],
  },
  'openrouter-midstream-error-docs-example.sse': { finish: 'error', errorStatus: 'server_error' },
  'openrouter-midstream-error-malformed-function-call.sse': {
    finish: 'stop',
    usage: { inputTokens: 41, outputTokens: 243, cost: 0.0001013 },
    errorStatus: 502,
    reads: [
      1061, 958, 530, 532, 538, 537, 537, 534, 532, 536, 1071, 533, 534, 539, 533, 535, 498, 670,
    ],
  },
  'openrouter-midstream-error-token-limit.sse': {
    finish: 'length',
    usage: { inputTokens: 43, outputTokens: 10, cost: 0 },
    errorStatus: 400,
  },
};

/** An oracle independent of the adapter: the captures are LF-framed, one data line per event. */
function expectedTexts(body: string): { text: string; reasoning: string } {
  let text = '';
  let reasoning = '';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') break;
    const chunk = JSON.parse(data) as {
      choices?: Array<{ delta?: { content?: unknown; reasoning?: unknown } }>;
    };
    const delta = chunk.choices?.[0]?.delta;
    if (typeof delta?.content === 'string') text += delta.content;
    if (typeof delta?.reasoning === 'string') reasoning += delta.reasoning;
  }
  return { text, reasoning };
}

async function* fromChunks(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

function splitAt(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
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

function randomSizes(length: number, seed: number, maxSize: number): number[] {
  const random = seededRandom(seed);
  const sizes: number[] = [];
  for (let total = 0; total < length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    sizes.push(size);
    total += size;
  }
  return sizes;
}

interface Summary {
  text: string;
  reasoning: string;
  finish?: string;
  usage?: { inputTokens: number; outputTokens: number; cost?: number };
  errors: Array<number | string | undefined>;
  keepAlives: number;
}

async function summarise(chunks: Uint8Array[]): Promise<Summary> {
  const summary: Summary = { text: '', reasoning: '', errors: [], keepAlives: 0 };
  for await (const event of readChatCompletionStream(
    fromChunks(chunks),
  ) as AsyncIterable<ProviderEvent>) {
    switch (event.type) {
      case 'text-delta':
        summary.text += event.text;
        break;
      case 'reasoning-delta':
        summary.reasoning += event.text;
        break;
      case 'finish':
        summary.finish = event.reason;
        break;
      case 'usage':
        summary.usage = {
          inputTokens: event.inputTokens,
          outputTokens: event.outputTokens,
          cost: event.cost,
        };
        break;
      case 'error':
        summary.errors.push(event.error.status ?? event.error.code);
        break;
      case 'keep-alive':
        summary.keepAlives += 1;
        break;
      case 'response-metadata':
        break;
    }
  }
  return summary;
}

const fixtureNames = readdirSync(fixturesDirectory).filter((name) => name.endsWith('.sse'));

describe('OpenRouter stream replay of recorded captures', () => {
  it('has an expectation for every copied capture', () => {
    expect(fixtureNames.sort()).toEqual(Object.keys(expectations).sort());
  });

  describe.each(fixtureNames)('%s', (name) => {
    const bytes = new Uint8Array(readFileSync(join(fixturesDirectory, name)));
    const body = new TextDecoder().decode(bytes);
    const expectation = expectations[name] ?? {};
    const oracle = expectedTexts(body);
    const keepAlives = body.split('\n').filter((line) => line.startsWith(':')).length;

    function check(summary: Summary) {
      expect(summary.text).toBe(oracle.text);
      expect(summary.reasoning).toBe(oracle.reasoning);
      expect(summary.finish).toBe(expectation.finish);
      if (expectation.usage) expect(summary.usage).toMatchObject(expectation.usage);
      else expect(summary.usage).toBeUndefined();
      expect(summary.errors).toEqual(
        expectation.errorStatus === undefined ? [] : [expectation.errorStatus],
      );
      expect(summary.keepAlives).toBe(keepAlives);
    }

    it('replays whole', async () => {
      check(await summarise([bytes]));
    });

    it('yields one delta per network read, not one per chunk (consecutive deltas are joined)', async () => {
      const kinds: string[] = [];
      for await (const event of readChatCompletionStream(fromChunks([bytes]))) {
        kinds.push(event.type);
      }
      // One read holding the whole capture: each run of same-kind deltas comes out as one event.
      for (let index = 1; index < kinds.length; index++) {
        const kind = kinds[index] as string;
        if (kind === 'text-delta' || kind === 'reasoning-delta')
          expect(kinds[index - 1]).not.toBe(kind);
      }
    });

    it('replays one byte at a time (every byte boundary)', async () => {
      check(await summarise(splitAt(bytes, new Array(bytes.length).fill(1))));
    });

    it.each([1, 2, 3, 4, 5, 6, 7, 8])('replays split at random (seed %i)', async (seed) => {
      check(await summarise(splitAt(bytes, randomSizes(bytes.length, seed, 97))));
    });

    it.runIf(expectation.reads)('replays with the recorded network reads', async () => {
      const reads = expectation.reads ?? [];
      expect(reads.reduce((sum, size) => sum + size, 0)).toBe(bytes.length);
      check(await summarise(splitAt(bytes, reads)));
    });

    it.runIf(bytes.length <= 8192)('replays split in two at every byte boundary', async () => {
      for (let index = 1; index < bytes.length; index++) {
        const summary = await summarise([bytes.subarray(0, index), bytes.subarray(index)]);
        expect(summary.text).toBe(oracle.text);
        expect(summary.finish).toBe(expectation.finish);
        expect(summary.errors.length).toBe(expectation.errorStatus === undefined ? 0 : 1);
      }
    });
  });

  it('turns a read carrying many content chunks into one text-delta', async () => {
    const bytes = readFileSync(join(fixturesDirectory, 'openrouter-chat-basic.sse'));
    const body = bytes.toString('utf8');
    const contentChunks = body
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('data:') &&
          line.includes('"content":"') &&
          !line.includes('"content":""'),
      );
    expect(contentChunks.length).toBeGreaterThan(1);
    const events: ProviderEvent[] = [];
    for await (const event of readChatCompletionStream(fromChunks([new Uint8Array(bytes)]))) {
      events.push(event);
    }
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(deltas).toEqual([{ type: 'text-delta', text: expectedTexts(body).text }]);
  });

  it('keeps a multibyte character whole when its bytes arrive in different reads', async () => {
    const body = new TextEncoder().encode(
      'data: {"choices":[{"delta":{"content":"caf\u00e9 \ud83d\ude00"},"finish_reason":null}]}\n\ndata: [DONE]\n\n',
    );
    const emoji = body.indexOf(0xf0);
    const summary = await summarise([
      body.subarray(0, emoji + 1),
      body.subarray(emoji + 1, emoji + 3),
      body.subarray(emoji + 3),
    ]);
    expect(summary.text).toBe('caf\u00e9 \ud83d\ude00');
  });

  it('reads CRLF-framed events and a last event with no blank line after it', async () => {
    const body = new TextEncoder().encode(
      ': keep-alive\r\n\r\ndata: {"choices":[{"delta":{"content":"a"}}]}\r\n\r\ndata: {"choices":[{"delta":{"content":"b"},"finish_reason":"stop"}]}',
    );
    const summary = await summarise([body]);
    expect(summary).toMatchObject({ text: 'ab', finish: 'stop', keepAlives: 1 });
  });

  it('reports a chunk that is not JSON as an invalid-chunk error', async () => {
    const events: ProviderEvent[] = [];
    for await (const event of readChatCompletionStream(
      fromChunks([new TextEncoder().encode('data: {oops\n\n')]),
    )) {
      events.push(event);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', error: { kind: 'invalid-chunk' } });
  });

  it('stops reading at [DONE]', async () => {
    const summary = await summarise([
      new TextEncoder().encode(
        'data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\ndata: {"choices":[{"delta":{"content":"late"}}]}\n\n',
      ),
    ]);
    expect(summary.text).toBe('x');
  });
});
