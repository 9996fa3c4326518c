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
import { createResponsesEventReader } from './openai-responses-event';

const fixturesDirectory = join(import.meta.dirname, '__fixtures__');

interface Expectation {
  finish?: string;
  usage?: { inputTokens: number; outputTokens: number };
  errors?: ReplaySummary['errors'];
}

// What each capture must come out as; see __fixtures__/SOURCES.md.
const expectations: Record<string, Expectation> = {
  'openai-responses-basic.sse': { finish: 'stop', usage: { inputTokens: 278, outputTokens: 9 } },
  'openai-responses-error-insufficient-quota.sse': {
    errors: [{ kind: 'upstream', status: 402, code: 'insufficient_quota', retryable: false }],
  },
  'openai-responses-function-call.sse': { finish: 'stop' },
  'openai-responses-json-schema.sse': { finish: 'stop' },
  'openai-responses-reasoning-summary.sse': { finish: 'stop' },
};

/** Independent of the reader: concatenates the deltas and reads the final usage. */
function oracle(body: string) {
  let text = '';
  let reasoning = '';
  let usage: { inputTokens: number; outputTokens: number } | undefined;
  for (const { data } of captureEvents(body)) {
    if (data.type === 'response.output_text.delta') text += data.delta as string;
    if (data.type === 'response.reasoning_summary_text.delta') reasoning += data.delta as string;
    const response = data.response as { usage?: Record<string, number> } | undefined;
    if (data.type === 'response.completed' && response?.usage) {
      usage = {
        inputTokens: response.usage.input_tokens ?? 0,
        outputTokens: response.usage.output_tokens ?? 0,
      };
    }
  }
  return { text, reasoning, usage };
}

const fixtureNames = readdirSync(fixturesDirectory).filter((name) => name.endsWith('.sse'));

describe('OpenAI Responses replay of recorded captures', () => {
  it('has an expectation for every copied capture', () => {
    expect(fixtureNames.sort()).toEqual(Object.keys(expectations).sort());
  });

  describe.each(fixtureNames)('%s', (name) => {
    const bytes = new Uint8Array(readFileSync(join(fixturesDirectory, name)));
    const body = new TextDecoder().decode(bytes);
    const expectation = expectations[name] ?? {};
    const expected = oracle(body);

    const replay = (chunks: Uint8Array[]) =>
      summarise(readEventStream(fromChunks(chunks), createResponsesEventReader()));

    function check(summary: ReplaySummary) {
      expect(summary.text).toBe(expected.text);
      expect(summary.reasoning).toBe(expected.reasoning);
      expect(summary.finish).toBe(expectation.finish);
      expect(summary.usage).toEqual(expected.usage);
      if (expectation.usage) expect(summary.usage).toEqual(expectation.usage);
      expect(summary.errors).toEqual(expectation.errors ?? []);
      expect(summary.metadataId).toMatch(/^resp_/);
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

  it('keeps the reasoning summary apart from the content', async () => {
    const bytes = readFileSync(join(fixturesDirectory, 'openai-responses-reasoning-summary.sse'));
    const summary = await summarise(
      readEventStream(fromChunks([bytes]), createResponsesEventReader()),
    );
    expect(summary.reasoning.length).toBeGreaterThan(1000);
    expect(summary.text.length).toBeGreaterThan(100);
    expect(summary.text).not.toContain(summary.reasoning.slice(0, 40));
  });

  it.each([
    ['max_output_tokens', 'length'],
    ['content_filter', 'content_filter'],
  ])('maps response.incomplete with %s to %s', async (reason, finish) => {
    const body = `event: response.incomplete\ndata: {"type":"response.incomplete","response":{"id":"resp_1","status":"incomplete","incomplete_details":{"reason":"${reason}"},"usage":{"input_tokens":4,"output_tokens":9}}}\n\n`;
    const summary = await summarise(
      readEventStream(fromChunks([new TextEncoder().encode(body)]), createResponsesEventReader()),
    );
    expect(summary).toMatchObject({ finish, usage: { inputTokens: 4, outputTokens: 9 } });
  });

  it('reads an error event in the documented shape (code and message on the event)', async () => {
    const body =
      'event: error\ndata: {"type":"error","code":"server_error","message":"The server had an error","param":null,"sequence_number":3}\n\n';
    const summary = await summarise(
      readEventStream(fromChunks([new TextEncoder().encode(body)]), createResponsesEventReader()),
    );
    expect(summary.errors).toEqual([
      { kind: 'upstream', status: 500, code: 'server_error', retryable: true },
    ]);
  });
});
