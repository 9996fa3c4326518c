import { describe, expect, it } from 'vitest';
import { createOpenRouterAdapter } from '../providers/openrouter/openrouter-adapter';
import type { ProviderAdapter, ProviderEvent, ProviderRequest } from '../providers/provider';
import { ProviderError } from '../providers/provider-error';
import { withRedactedErrors } from '../providers/redacting-provider';
import { createKeyRoutingAdapter, upstreamFor } from './generation-upstream';

const userKey = 'sk-or-v1-user0000111122223333444455556666abcd';
const request: ProviderRequest = {
  model: 'sluice/simulator',
  messages: [{ role: 'user', content: 'hello' }],
};

/** A fetch that records what it was asked and answers a one-word stream. */
function recordingFetch() {
  const calls: Array<{ url: string; authorization: string | null; body: string }> = [];
  const fetchImplementation: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    calls.push({
      url: String(input),
      authorization: headers.get('authorization'),
      body: String(init?.body),
    });
    const body = [
      'data: {"id":"gen-1","choices":[{"delta":{"content":"hi"}}]}',
      'data: {"id":"gen-1","choices":[{"delta":{},"finish_reason":"stop"}]}',
      'data: [DONE]',
      '',
    ].join('\n\n');
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
  return { calls, fetch: fetchImplementation };
}

async function drain(adapter: ProviderAdapter, providerRequest: ProviderRequest) {
  const events: ProviderEvent[] = [];
  for await (const event of adapter.stream(providerRequest, new AbortController().signal)) {
    events.push(event);
  }
  return events;
}

describe('the upstream of one generation', () => {
  it('sends a keyless generation to the server’s own upstream, unchanged', async () => {
    const simulator = recordingFetch();
    const openRouter = recordingFetch();
    const adapter = createKeyRoutingAdapter({
      keyless: createOpenRouterAdapter({
        baseUrl: 'http://127.0.0.1:9/v1',
        fetch: simulator.fetch,
      }),
      keyed: createOpenRouterAdapter({ fetch: openRouter.fetch }),
    });
    const upstream = upstreamFor({ source: 'simulator' }, { simulated: true });
    expect(upstream.keySource).toBe('simulator');
    expect(upstream.prepare(request)).toBe(request);
    await drain(adapter, upstream.prepare(request));
    expect(simulator.calls).toEqual([
      expect.objectContaining({
        url: 'http://127.0.0.1:9/v1/chat/completions',
        authorization: null,
      }),
    ]);
    expect(openRouter.calls).toEqual([]);
  });

  it('sends a user’s key to real OpenRouter even when the server runs on the simulator', async () => {
    const simulator = recordingFetch();
    const openRouter = recordingFetch();
    const adapter = createKeyRoutingAdapter({
      keyless: createOpenRouterAdapter({
        baseUrl: 'http://127.0.0.1:9/v1',
        fetch: simulator.fetch,
      }),
      keyed: createOpenRouterAdapter({ fetch: openRouter.fetch }),
    });
    const upstream = upstreamFor({ source: 'user', apiKey: userKey }, { simulated: true });
    expect(upstream.keySource).toBe('user');
    const prepared = upstream.prepare(request);
    // OpenRouter does not know the simulator's model.
    expect(prepared.model).toBe('openai/gpt-4o-mini');
    const events = await drain(adapter, prepared);
    expect(events).toContainEqual({ type: 'text-delta', text: 'hi' });
    expect(simulator.calls).toEqual([]);
    expect(openRouter.calls).toHaveLength(1);
    expect(openRouter.calls[0]?.url).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(openRouter.calls[0]?.authorization).toBe(`Bearer ${userKey}`);
    // The key is a credential, never part of the body.
    expect(openRouter.calls[0]?.body).not.toContain(userKey);
  });

  it('keeps the model a keyed request names when the server does not run on the simulator', () => {
    const upstream = upstreamFor({ source: 'app', apiKey: userKey }, { simulated: false });
    expect(upstream.prepare(request)).toEqual({ ...request, apiKey: userKey });
    expect(upstream.prepare({ ...request, model: 'anthropic/claude' }).model).toBe(
      'anthropic/claude',
    );
  });

  it('takes a request’s own key out of the upstream’s error text', async () => {
    const leaky: ProviderAdapter = {
      name: 'leaky',
      // biome-ignore lint/correctness/useYield: it fails before its first event.
      async *stream(providerRequest) {
        throw new ProviderError(`bad key ${providerRequest.apiKey ?? ''}`, {
          kind: 'http',
          status: 401,
        });
      },
    };
    const keyWithoutPrefix = 'user0000111122223333444455556666abcd';
    await expect(
      drain(withRedactedErrors(leaky, []), { ...request, apiKey: keyWithoutPrefix }),
    ).rejects.toThrow('bad key [redacted]');
  });
});
