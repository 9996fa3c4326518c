import type { ProviderName } from '@sluice/shared';
import { type Simulator, startSimulator } from '@sluice/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamResolver } from '../provider-keys/generation-upstream';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter';
import { createModelRoutingAdapter } from './model-routing-adapter';
import { createOpenAIResponsesAdapter } from './openai/openai-responses-adapter';
import { createOpenRouterAdapter } from './openrouter/openrouter-adapter';
import type { ProviderRequest } from './provider';

// Two upstreams: the offline simulator (keyless requests) and a stand-in for the real APIs
// (keyed requests), each speaking all three wire formats.
let offline: Simulator;
let real: Simulator;
beforeAll(async () => {
  const options = { tokensPerSecond: 5000, firstTokenDelayMs: 1, retryAfterSeconds: 0 };
  [offline, real] = await Promise.all([startSimulator(options), startSimulator(options)]);
});
afterAll(() => Promise.all([offline.close(), real.close()]));

function adapter() {
  return createModelRoutingAdapter({
    openrouter: {
      keyless: createOpenRouterAdapter({ baseUrl: offline.url }),
      keyed: createOpenRouterAdapter({ baseUrl: real.url }),
    },
    anthropic: {
      keyless: createAnthropicAdapter({ baseUrl: offline.anthropicUrl }),
      keyed: createAnthropicAdapter({ baseUrl: real.anthropicUrl }),
    },
    openai: {
      keyless: createOpenAIResponsesAdapter({ baseUrl: offline.openAIUrl }),
      keyed: createOpenAIResponsesAdapter({ baseUrl: real.openAIUrl }),
    },
  });
}

let counter = 0;
async function send(model: string, apiKey?: string) {
  counter += 1;
  const content = `Route me #${counter}`;
  const request: ProviderRequest = { model, messages: [{ role: 'user', content }], apiKey };
  let text = '';
  for await (const event of adapter().stream(request, new AbortController().signal)) {
    if (event.type === 'text-delta') text += event.text;
  }
  const where = [offline, real].find((simulator) =>
    simulator.requests.some((record) => JSON.stringify(record.body).includes(content)),
  );
  const record = where?.requests.find((candidate) =>
    JSON.stringify(candidate.body).includes(content),
  );
  return { text, where, record, body: record?.body as Record<string, unknown> };
}

describe('routing a model to its provider', () => {
  it('sends anthropic:<model> to the Messages API with the prefix taken off', async () => {
    const { text, where, body } = await send('anthropic:claude-sonnet-4-5');
    expect(where).toBe(offline);
    expect(body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: expect.any(Number) });
    expect(body.messages).toBeDefined();
    expect(text.length).toBeGreaterThan(0);
  });

  it('sends openai:<model> to the Responses API, and a keyed request to the real one', async () => {
    const { where, body, record } = await send(
      'openai:gpt-4o-mini',
      'sk-proj-user-key-000011112222',
    );
    expect(where).toBe(real);
    expect(body).toMatchObject({ model: 'gpt-4o-mini', store: false });
    expect(body.input).toBeDefined();
    expect(record?.headers.authorization).toBe('Bearer sk-proj-user-key-000011112222');
  });

  it('sends any other model to OpenRouter unchanged', async () => {
    const { where, body } = await send('anthropic/claude-sonnet-4.5');
    expect(where).toBe(offline);
    expect(body).toMatchObject({
      model: 'anthropic/claude-sonnet-4.5',
      stream_options: { include_usage: true },
    });
  });

  it('pays with the key of the model’s provider', async () => {
    const asked: ProviderName[] = [];
    const resolve = createUpstreamResolver(
      {
        async resolveKey(_userId, provider) {
          asked.push(provider);
          return provider === 'anthropic'
            ? { source: 'user', apiKey: 'sk-ant-user-key-0000111122223333' }
            : { source: 'env', apiKey: 'sk-env' };
        },
      },
      { simulated: true },
    );
    const anthropic = await resolve('user-1', 'anthropic:claude-haiku-4-5');
    const openai = await resolve('user-1', 'openai:gpt-4o');
    const openrouter = await resolve('user-1', 'openai/gpt-4o');
    expect(asked).toEqual(['anthropic', 'openai', 'openrouter']);
    expect([anthropic.provider, openai.provider, openrouter.provider]).toEqual([
      'anthropic',
      'openai',
      'openrouter',
    ]);
    expect(anthropic.keySource).toBe('user');
    expect(anthropic.prepare({ model: 'anthropic:claude-haiku-4-5', messages: [] }).apiKey).toBe(
      'sk-ant-user-key-0000111122223333',
    );
  });
});
