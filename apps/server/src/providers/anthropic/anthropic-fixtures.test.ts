import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  captureEvents,
  fromChunks,
  type ReplaySummary,
  randomSizes,
  splitAt,
  summarise,
} from '../../../test/support/capture-replay';
import { readEventStream } from '../read-event-stream';
import { createAnthropicEventReader } from './anthropic-event';

const fixturesDirectory = join(import.meta.dirname, '__fixtures__');

interface Expectation {
  /** The request forced a tool whose input is the document (how plans are asked for). */
  toolInputAsText?: boolean;
  finish?: string;
  nativeFinish?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
  errors?: ReplaySummary['errors'];
}

// What each capture must come out as; see __fixtures__/SOURCES.md.
const expectations: Record<string, Expectation> = {
  'anthropic-messages-basic.sse': {
    finish: 'stop',
    nativeFinish: 'end_turn',
    usage: { inputTokens: 17, outputTokens: 10 },
  },
  'anthropic-messages-json-output-format.sse': {
    finish: 'stop',
    nativeFinish: 'end_turn',
    usage: { inputTokens: 231, outputTokens: 118 },
  },
  'anthropic-messages-midstream-error-tail.sse': {
    errors: [{ kind: 'upstream', status: 500, code: 'api_error', retryable: true }],
  },
  'anthropic-messages-thinking.sse': { finish: 'stop', nativeFinish: 'end_turn' },
  'anthropic-messages-tool-use-input-json-delta.sse': {
    toolInputAsText: true,
    finish: 'stop',
    nativeFinish: 'tool_use',
    usage: { inputTokens: 429 },
  },
};

/** Independent of the reader: concatenates the deltas of the capture's JSON payloads. */
function oracle(body: string, toolInputAsText: boolean) {
  let text = '';
  let reasoning = '';
  let lastUsage: Record<string, number> | undefined;
  for (const { data } of captureEvents(body)) {
    const delta = data.delta as Record<string, string> | undefined;
    if (data.type === 'content_block_delta' && delta) {
      if (delta.type === 'text_delta') text += delta.text;
      if (delta.type === 'thinking_delta') reasoning += delta.thinking;
      if (delta.type === 'input_json_delta' && toolInputAsText) text += delta.partial_json;
    }
    if (data.type === 'message_delta') lastUsage = data.usage as Record<string, number>;
  }
  return { text, reasoning, outputTokens: lastUsage?.output_tokens };
}

const fixtureNames = readdirSync(fixturesDirectory).filter((name) => name.endsWith('.sse'));

describe('Anthropic Messages replay of recorded captures', () => {
  it('has an expectation for every copied capture', () => {
    expect(fixtureNames.sort()).toEqual(Object.keys(expectations).sort());
  });

  describe.each(fixtureNames)('%s', (name) => {
    const bytes = new Uint8Array(readFileSync(join(fixturesDirectory, name)));
    const body = new TextDecoder().decode(bytes);
    const expectation = expectations[name] ?? {};
    const toolInputAsText = expectation.toolInputAsText ?? false;
    const expected = oracle(body, toolInputAsText);
    const pings = captureEvents(body).filter(({ data }) => data.type === 'ping').length;

    const replay = (chunks: Uint8Array[]) =>
      summarise(
        readEventStream(fromChunks(chunks), createAnthropicEventReader({ toolInputAsText })),
      );

    function check(summary: ReplaySummary) {
      expect(summary.text).toBe(expected.text);
      expect(summary.reasoning).toBe(expected.reasoning);
      expect(summary.finish).toBe(expectation.finish);
      expect(summary.nativeFinish).toBe(expectation.nativeFinish);
      if (expected.outputTokens !== undefined) {
        expect(summary.usage?.outputTokens).toBe(expected.outputTokens);
      }
      if (expectation.usage) expect(summary.usage).toMatchObject(expectation.usage);
      expect(summary.errors).toEqual(expectation.errors ?? []);
      expect(summary.keepAlives).toBe(pings);
    }

    it('replays whole', async () => {
      check(await replay([bytes]));
    });

    it('replays one byte at a time', async () => {
      check(await replay(splitAt(bytes, new Array(bytes.length).fill(1))));
    });

    it.each([1, 2, 3, 4, 5, 6, 7, 8])('replays split at random (seed %i)', async (seed) => {
      check(await replay(splitAt(bytes, randomSizes(bytes.length, seed, 97))));
    });

    it.runIf(bytes.length <= 8192)('replays split in two at every byte boundary', async () => {
      for (let index = 1; index < bytes.length; index++) {
        const summary = await replay([bytes.subarray(0, index), bytes.subarray(index)]);
        expect(summary.text).toBe(expected.text);
        expect(summary.finish).toBe(expectation.finish);
        expect(summary.errors.length).toBe(expectation.errors?.length ?? 0);
      }
    });
  });

  it('keeps the thinking apart from the content', async () => {
    const bytes = readFileSync(join(fixturesDirectory, 'anthropic-messages-thinking.sse'));
    const summary = await summarise(
      readEventStream(fromChunks([bytes]), createAnthropicEventReader({ toolInputAsText: false })),
    );
    expect(summary.reasoning.length).toBeGreaterThan(0);
    expect(summary.text).not.toContain(summary.reasoning.slice(0, 40));
  });

  it('does not stream a tool input as text unless the request forced the tool', async () => {
    const bytes = readFileSync(
      join(fixturesDirectory, 'anthropic-messages-tool-use-input-json-delta.sse'),
    );
    const summary = await summarise(
      readEventStream(fromChunks([bytes]), createAnthropicEventReader({ toolInputAsText: false })),
    );
    expect(summary).toMatchObject({ text: '', finish: 'tool_calls' });
  });

  it.each([
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'pause_turn'],
  ])('maps the stop reason %s to %s', async (stopReason, finish) => {
    const body = `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${stopReason}"},"usage":{"output_tokens":3}}\n\n`;
    const summary = await summarise(
      readEventStream(
        fromChunks([new TextEncoder().encode(body)]),
        createAnthropicEventReader({ toolInputAsText: false }),
      ),
    );
    expect(summary.finish).toBe(finish);
  });

  it('reports an overloaded_error event after HTTP 200 as retryable', async () => {
    const body =
      'event: error\ndata: {"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"}        }\n\n';
    const summary = await summarise(
      readEventStream(
        fromChunks([new TextEncoder().encode(body)]),
        createAnthropicEventReader({ toolInputAsText: false }),
      ),
    );
    expect(summary.errors).toEqual([
      { kind: 'upstream', status: 529, code: 'overloaded_error', retryable: true },
    ]);
  });
});
