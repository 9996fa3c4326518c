import { type Simulator, startSimulator } from '@sluice/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter';
import { createOpenAIResponsesAdapter } from './openai/openai-responses-adapter';
import { createOpenRouterAdapter } from './openrouter/openrouter-adapter';
import type { ProviderAdapter, ProviderEvent, ProviderRequest } from './provider';
import type { ProviderError } from './provider-error';
import { type RetryPolicy, streamWithRetry } from './stream-with-retry';

// The same fault matrix for every adapter, against the simulator speaking each wire format
// over real HTTP.
let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({
    tokensPerSecond: 5000,
    firstTokenDelayMs: 5,
    keepAliveIntervalMs: 50,
    retryAfterSeconds: 0,
  });
});
afterAll(() => simulator.close());

const adapters: Array<[string, () => ProviderAdapter]> = [
  ['openrouter', () => createOpenRouterAdapter({ baseUrl: simulator.url, apiKey: 'sk-or-test' })],
  [
    'anthropic',
    () => createAnthropicAdapter({ baseUrl: simulator.anthropicUrl, apiKey: 'sk-ant-test' }),
  ],
  [
    'openai',
    () => createOpenAIResponsesAdapter({ baseUrl: simulator.openAIUrl, apiKey: 'sk-test' }),
  ],
];

const policy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 2,
  maxRetryAfterMs: 1000,
};

interface Outcome {
  text: string;
  reasoning: string;
  finish?: string;
  usage?: { inputTokens: number; outputTokens: number };
  errors: ProviderError[];
  thrown?: ProviderError;
  attempts: number;
}

let counter = 0;
function request(model: string, extra: Partial<ProviderRequest> = {}): ProviderRequest {
  counter += 1;
  return {
    model,
    messages: [
      { role: 'system', content: 'You are helpful.' },
      // Unique per test, so per-request fault budgets (status-429x2) do not leak between tests.
      { role: 'user', content: `Tell me about gardens — “café” #${counter}` },
    ],
    maxTokens: 500,
    ...extra,
  };
}

async function run(
  adapter: ProviderAdapter,
  providerRequest: ProviderRequest,
  signal = new AbortController().signal,
): Promise<Outcome> {
  const outcome: Outcome = { text: '', reasoning: '', errors: [], attempts: 0 };
  try {
    for await (const event of streamWithRetry(adapter, providerRequest, signal, policy, {
      onAttempt: (attempt) => {
        outcome.attempts = attempt;
      },
    }) as AsyncIterable<ProviderEvent>) {
      if (event.type === 'text-delta') outcome.text += event.text;
      if (event.type === 'reasoning-delta') outcome.reasoning += event.text;
      if (event.type === 'finish') outcome.finish = event.reason;
      if (event.type === 'usage' && !event.provisional) {
        outcome.usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
      }
      if (event.type === 'error') outcome.errors.push(event.error);
    }
  } catch (error) {
    outcome.thrown = error as ProviderError;
  }
  return outcome;
}

function recordFor(model: string, content: string) {
  return simulator.requests.filter(
    (record) => record.model === model && JSON.stringify(record.body).includes(content),
  );
}

describe.each(adapters)('the %s adapter against the simulator', (_name, makeAdapter) => {
  it('streams a whole reply: text, stop, usage', async () => {
    const providerRequest = request('sluice/simulator');
    const outcome = await run(makeAdapter(), providerRequest);
    const [record] = recordFor('sluice/simulator', providerRequest.messages[1]?.content ?? '');
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.errors).toEqual([]);
    expect(outcome.text.length).toBeGreaterThan(50);
    expect(outcome.text).toBe(record?.text);
    expect(outcome.finish).toBe('stop');
    expect(outcome.usage?.outputTokens).toBeGreaterThan(0);
    expect(outcome.usage?.inputTokens).toBeGreaterThan(0);
  });

  it('streams a plan document as structured output', async () => {
    const providerRequest = request('sluice/simulator', {
      responseFormat: { type: 'json_schema', name: 'plan', schema: { type: 'object' } },
    });
    const outcome = await run(makeAdapter(), providerRequest);
    expect(outcome.finish).toBe('stop');
    expect(JSON.parse(outcome.text)).toMatchObject({ monthly_summary: expect.any(String) });
  });

  it('retries 429 before the first token, then streams', async () => {
    const outcome = await run(makeAdapter(), request('sluice/simulator@status-429x2'));
    expect(outcome.attempts).toBe(3);
    expect(outcome.finish).toBe('stop');
  });

  it('does not retry a 400', async () => {
    const outcome = await run(makeAdapter(), request('sluice/simulator@status-400'));
    expect(outcome.attempts).toBe(1);
    expect(outcome.thrown).toMatchObject({ kind: 'http', status: 400, isRetryable: false });
  });

  it('gives up on a 503 after the last attempt', async () => {
    const outcome = await run(makeAdapter(), request('sluice/simulator@status-503'));
    expect(outcome.attempts).toBe(3);
    expect(outcome.thrown).toMatchObject({ kind: 'http', status: 503, isRetryable: true });
  });

  it('retries an error event that comes before the first token', async () => {
    const outcome = await run(makeAdapter(), request('sluice/simulator@error-only'));
    expect(outcome.attempts).toBe(3);
    expect(outcome.thrown).toMatchObject({ kind: 'upstream', isRetryable: true });
    expect(outcome.text).toBe('');
  });

  it('reports an error event after k tokens without retrying, keeping the text', async () => {
    const providerRequest = request('sluice/simulator@error-after-5');
    const outcome = await run(makeAdapter(), providerRequest);
    const [record] = recordFor(
      'sluice/simulator@error-after-5',
      providerRequest.messages[1]?.content ?? '',
    );
    expect(outcome.attempts).toBe(1);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]?.kind).toBe('upstream');
    expect(outcome.text).toBe(record?.text);
    expect(outcome.finish ?? 'error').toBe('error');
  });

  it('throws a network error when the socket drops mid-stream, keeping the text', async () => {
    const providerRequest = request('sluice/simulator@drop-after-5');
    const outcome = await run(makeAdapter(), providerRequest);
    expect(outcome.attempts).toBe(1);
    expect(outcome.thrown).toMatchObject({ kind: 'network' });
    expect(outcome.text).toBe(
      recordFor('sluice/simulator@drop-after-5', providerRequest.messages[1]?.content ?? '')[0]
        ?.text,
    );
  });

  it('ends without a finish reason on no-finish', async () => {
    const outcome = await run(makeAdapter(), request('sluice/simulator@no-finish'));
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.text.length).toBeGreaterThan(0);
    expect(outcome.finish).toBeUndefined();
  });

  it('finishes with length after k tokens', async () => {
    const outcome = await run(makeAdapter(), request('sluice/simulator@length-after-5'));
    expect(outcome.finish).toBe('length');
    expect(outcome.usage?.outputTokens).toBe(5);
  });

  it('keeps multibyte characters whole when they are split across writes', async () => {
    const providerRequest = request('sluice/simulator@split-utf8');
    const outcome = await run(makeAdapter(), providerRequest);
    const [record] = recordFor(
      'sluice/simulator@split-utf8',
      providerRequest.messages[1]?.content ?? '',
    );
    expect(outcome.text).toBe(record?.text);
    expect(outcome.text).not.toContain('\ufffd');
    expect(outcome.finish).toBe('stop');
  });

  it('aborts a stalled stream through the signal, which reaches the socket', async () => {
    const providerRequest = request('sluice/simulator@stall-after-5');
    const controller = new AbortController();
    const content = providerRequest.messages[1]?.content ?? '';
    const outcome = run(makeAdapter(), providerRequest, controller.signal);
    await simulator.waitFor(
      (record) => JSON.stringify(record.body).includes(content) && record.text.length > 0,
    );
    controller.abort(new Error('cancelled'));
    expect((await outcome).thrown).toMatchObject({ kind: 'aborted' });
    const closed = await simulator.waitFor(
      (record) => JSON.stringify(record.body).includes(content) && record.clientAborted,
    );
    expect(closed.status).toBe('client-aborted');
  });

  it('sends the key as the provider expects it, and the request’s own key first', async () => {
    const providerRequest = request('sluice/simulator', { apiKey: 'sk-user-own-key-1234' });
    await run(makeAdapter(), providerRequest);
    const [record] = recordFor('sluice/simulator', providerRequest.messages[1]?.content ?? '');
    const headers = record?.headers ?? {};
    const sent = headers['x-api-key'] ?? headers.authorization;
    expect(String(sent)).toContain('sk-user-own-key-1234');
  });
});

describe('wire details', () => {
  it('sends Anthropic a forced tool for a JSON schema, system apart, and max_tokens', async () => {
    const providerRequest = request('sluice/simulator', {
      responseFormat: { type: 'json_schema', name: 'plan', schema: { type: 'object' } },
    });
    await run(createAnthropicAdapter({ baseUrl: simulator.anthropicUrl }), providerRequest);
    const [record] = recordFor('sluice/simulator', providerRequest.messages[1]?.content ?? '');
    expect(record?.body).toMatchObject({
      system: 'You are helpful.',
      max_tokens: 500,
      stream: true,
      tool_choice: { type: 'tool', name: 'plan' },
      tools: [{ name: 'plan', input_schema: { type: 'object' } }],
    });
    expect(record?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('sends OpenAI Responses text.format for a JSON schema', async () => {
    const providerRequest = request('sluice/simulator', {
      responseFormat: {
        type: 'json_schema',
        name: 'plan',
        schema: { type: 'object' },
        strict: true,
      },
    });
    await run(createOpenAIResponsesAdapter({ baseUrl: simulator.openAIUrl }), providerRequest);
    const [record] = recordFor('sluice/simulator', providerRequest.messages[1]?.content ?? '');
    expect(record?.body).toMatchObject({
      stream: true,
      store: false,
      max_output_tokens: 500,
      text: { format: { type: 'json_schema', name: 'plan', strict: true } },
    });
  });

  it('falls back to a non-streaming Responses request when streaming is refused', async () => {
    const calls: Array<Record<string, unknown>> = [];
    const fakeFetch: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
      calls.push(body);
      if (body.stream) {
        return Response.json(
          {
            error: {
              message:
                'Your organization must be verified to stream this model. Please go to: https://platform.openai.com/settings/organization/general',
              type: 'invalid_request_error',
              param: 'stream',
              code: 'unsupported_value',
            },
          },
          { status: 400 },
        );
      }
      return fetch(input, init);
    };
    const providerRequest = request('sluice/simulator');
    const outcome = await run(
      createOpenAIResponsesAdapter({ baseUrl: simulator.openAIUrl, fetch: fakeFetch }),
      providerRequest,
    );
    expect(calls.map((call) => call.stream)).toEqual([true, false]);
    expect(outcome.finish).toBe('stop');
    expect(outcome.text).toBe(
      recordFor('sluice/simulator', providerRequest.messages[1]?.content ?? '')[0]?.text,
    );
    expect(outcome.usage?.outputTokens).toBeGreaterThan(0);
  });
});
