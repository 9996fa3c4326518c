import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderEvent, ProviderRequest } from '../provider';
import { ProviderError } from '../provider-error';
import { streamWithRetry } from '../stream-with-retry';
import { createOpenRouterAdapter } from './openrouter-adapter';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

interface Upstream {
  baseUrl: string;
  requests: Array<{
    headers: IncomingMessage['headers'];
    body: Record<string, unknown>;
    closedEarly: boolean;
  }>;
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startUpstream(handler: Handler): Promise<Upstream> {
  const requests: Upstream['requests'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const record = { headers: request.headers, body: JSON.parse(body), closedEarly: false };
      requests.push(record);
      response.on('close', () => {
        if (!response.writableEnded) record.closedEarly = true;
      });
      handler(request, body, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api/v1`, requests, server };
}

const request: ProviderRequest = {
  model: 'openai/gpt-4o',
  messages: [{ role: 'user', content: 'Name two dogs' }],
};

async function collect(events: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
  const collected: ProviderEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

function textOf(events: ProviderEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

const basicCapture = readFileSync(
  join(import.meta.dirname, '__fixtures__', 'openrouter-chat-basic.sse'),
);

function serveCapture(response: ServerResponse, capture: Buffer, pieceSize = 7) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let offset = 0;
  const writeNext = () => {
    if (offset >= capture.length) {
      response.end();
      return;
    }
    response.write(capture.subarray(offset, offset + pieceSize));
    offset += pieceSize;
    setImmediate(writeNext);
  };
  writeNext();
}

describe('OpenRouter adapter over HTTP', () => {
  it('streams a recorded capture written in small pieces', async () => {
    const upstream = await startUpstream((_request, _body, response) =>
      serveCapture(response, basicCapture),
    );
    const adapter = createOpenRouterAdapter({ baseUrl: upstream.baseUrl });
    const events = await collect(adapter.stream(request, new AbortController().signal));
    expect(textOf(events)).toBe('Pebbles and Skipper.');
    expect(events.at(-1)).toEqual({
      type: 'usage',
      inputTokens: 17,
      outputTokens: 6,
      cost: 0.0001025,
    });
    expect(events[0]).toMatchObject({ type: 'keep-alive' });
  });

  it('sends the OpenAI-compatible body: stream, usage, structured output, fallback models', async () => {
    const upstream = await startUpstream((_request, _body, response) =>
      serveCapture(response, basicCapture),
    );
    const adapter = createOpenRouterAdapter({
      baseUrl: `${upstream.baseUrl}/`,
      apiKey: 'sk-test',
      appName: 'Sluice',
    });
    await collect(
      adapter.stream(
        {
          ...request,
          fallbackModels: ['anthropic/claude-sonnet-4', 'openai/gpt-4o'],
          temperature: 0.7,
          maxTokens: 4000,
          responseFormat: { type: 'json_schema', name: 'plan', schema: { type: 'object' } },
        },
        new AbortController().signal,
      ),
    );
    const [received] = upstream.requests;
    expect(received?.headers.authorization).toBe('Bearer sk-test');
    expect(received?.headers['x-title']).toBe('Sluice');
    expect(received?.body).toEqual({
      model: 'openai/gpt-4o',
      models: ['openai/gpt-4o', 'anthropic/claude-sonnet-4'],
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.7,
      max_tokens: 4000,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'plan', strict: false, schema: { type: 'object' } },
      },
    });
  });

  it('sends no Authorization header without a key', async () => {
    const upstream = await startUpstream((_request, _body, response) =>
      serveCapture(response, basicCapture),
    );
    await collect(
      createOpenRouterAdapter({ baseUrl: upstream.baseUrl }).stream(
        request,
        new AbortController().signal,
      ),
    );
    expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('maps an HTTP error to a ProviderError with status, message and Retry-After', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      response.end(JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded' } }));
    });
    const error = await collect(
      createOpenRouterAdapter({ baseUrl: upstream.baseUrl }).stream(
        request,
        new AbortController().signal,
      ),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      kind: 'http',
      status: 429,
      retryAfterMs: 2000,
      isRetryable: true,
    });
    expect((error as Error).message).toContain('Rate limit exceeded');
  });

  it('treats 400 and 401 as not retryable', async () => {
    for (const status of [400, 401, 402]) {
      const upstream = await startUpstream((_request, _body, response) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"no"}}');
      });
      const error = await collect(
        createOpenRouterAdapter({ baseUrl: upstream.baseUrl }).stream(
          request,
          new AbortController().signal,
        ),
      ).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ kind: 'http', status, isRetryable: false });
    }
  });

  it('reports an unreachable upstream as a retryable network error', async () => {
    const upstream = await startUpstream(() => {});
    const { baseUrl } = upstream;
    await new Promise((resolve) => upstream.server.close(resolve));
    servers.splice(servers.indexOf(upstream.server), 1);
    const error = await collect(
      createOpenRouterAdapter({ baseUrl }).stream(request, new AbortController().signal),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'network', isRetryable: true });
  });

  it('closes the upstream socket when the signal aborts mid-stream', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"choices":[{"delta":{"content":"first"}}]}\n\n');
      // Then nothing: a stalled upstream.
    });
    const controller = new AbortController();
    const events: ProviderEvent[] = [];
    const error = await (async () => {
      for await (const event of createOpenRouterAdapter({ baseUrl: upstream.baseUrl }).stream(
        request,
        controller.signal,
      )) {
        events.push(event);
        if (event.type === 'text-delta') setTimeout(() => controller.abort(), 10);
      }
    })().catch((caught: unknown) => caught);
    expect(textOf(events)).toBe('first');
    expect(error).toMatchObject({ kind: 'aborted' });
    // A guard, not a deadline: the upstream sees the socket close.
    await expect.poll(() => upstream.requests[0]?.closedEarly, { timeout: 10_000 }).toBe(true);
  });

  it('closes the upstream socket when the consumer stops reading early', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"choices":[{"delta":{"content":"first"}}]}\n\n');
    });
    for await (const event of createOpenRouterAdapter({ baseUrl: upstream.baseUrl }).stream(
      request,
      new AbortController().signal,
    )) {
      if (event.type === 'text-delta') break;
    }
    // A guard, not a deadline: the upstream sees the socket close.
    await expect.poll(() => upstream.requests[0]?.closedEarly, { timeout: 10_000 }).toBe(true);
  });

  it('accepts a JSON completion from a server that ignores stream: true', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          choices: [{ message: { content: 'whole' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1 },
        }),
      );
    });
    const events = await collect(
      createOpenRouterAdapter({ baseUrl: upstream.baseUrl }).stream(
        request,
        new AbortController().signal,
      ),
    );
    expect(events).toEqual([
      { type: 'text-delta', text: 'whole' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', inputTokens: 3, outputTokens: 1, cost: undefined },
    ]);
  });
});

describe('streamWithRetry', () => {
  const fastPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 };

  it('retries a 429 honouring Retry-After, then streams once with no duplicated text', async () => {
    let calls = 0;
    const upstream = await startUpstream((_request, _body, response) => {
      calls += 1;
      if (calls === 1) {
        response.writeHead(429, { 'retry-after': '0.05' });
        response.end('{"error":{"message":"slow down"}}');
        return;
      }
      serveCapture(response, basicCapture);
    });
    const delays: number[] = [];
    const events = await collect(
      streamWithRetry(
        createOpenRouterAdapter({ baseUrl: upstream.baseUrl }),
        request,
        new AbortController().signal,
        fastPolicy,
        {
          onRetry: ({ delayMs }) => delays.push(delayMs),
        },
      ),
    );
    expect(calls).toBe(2);
    expect(delays).toEqual([50]);
    expect(textOf(events)).toBe('Pebbles and Skipper.');
  });

  it('gives up after maxAttempts on a persistent 5xx with a retryable error', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(503);
      response.end('{"error":{"message":"down"}}');
    });
    const attempts: number[] = [];
    const error = await collect(
      streamWithRetry(
        createOpenRouterAdapter({ baseUrl: upstream.baseUrl }),
        request,
        new AbortController().signal,
        fastPolicy,
        {
          onAttempt: (attempt) => attempts.push(attempt),
        },
      ),
    ).catch((caught: unknown) => caught);
    expect(attempts).toEqual([1, 2, 3]);
    expect(upstream.requests).toHaveLength(3);
    expect(error).toMatchObject({ kind: 'http', status: 503, isRetryable: true });
  });

  it('retries an error chunk that arrives before the first token', async () => {
    const errorOnly = readFileSync(
      join(import.meta.dirname, '__fixtures__', 'openrouter-error-only-upstream-502.sse'),
    );
    let calls = 0;
    const upstream = await startUpstream((_request, _body, response) => {
      calls += 1;
      serveCapture(response, calls === 1 ? errorOnly : basicCapture);
    });
    const events = await collect(
      streamWithRetry(
        createOpenRouterAdapter({ baseUrl: upstream.baseUrl }),
        request,
        new AbortController().signal,
        fastPolicy,
      ),
    );
    expect(calls).toBe(2);
    expect(textOf(events)).toBe('Pebbles and Skipper.');
    expect(events.some((event) => event.type === 'error')).toBe(false);
  });

  it('never retries after the first token: a dropped stream is reported', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // Once the chunk is in the socket: TCP delivers it before the connection's end.
      response.write('data: {"choices":[{"delta":{"content":"half"}}]}\n\n', () => {
        response.socket?.destroy();
      });
    });
    const events: ProviderEvent[] = [];
    const error = await (async () => {
      for await (const event of streamWithRetry(
        createOpenRouterAdapter({ baseUrl: upstream.baseUrl }),
        request,
        new AbortController().signal,
        fastPolicy,
      )) {
        events.push(event);
      }
    })().catch((caught: unknown) => caught);
    expect(upstream.requests).toHaveLength(1);
    expect(textOf(events)).toBe('half');
    expect(error).toMatchObject({ kind: 'network' });
  });

  it('does not wait for a Retry-After longer than the policy allows', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(429, { 'retry-after': '3600' });
      response.end('{}');
    });
    const error = await collect(
      streamWithRetry(
        createOpenRouterAdapter({ baseUrl: upstream.baseUrl }),
        request,
        new AbortController().signal,
        fastPolicy,
      ),
    ).catch((caught: unknown) => caught);
    expect(upstream.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 3_600_000 });
  });

  it('stops waiting between attempts when aborted', async () => {
    const upstream = await startUpstream((_request, _body, response) => {
      response.writeHead(503);
      response.end('{}');
    });
    const controller = new AbortController();
    const pending = collect(
      streamWithRetry(
        createOpenRouterAdapter({ baseUrl: upstream.baseUrl }),
        request,
        controller.signal,
        {
          ...fastPolicy,
          baseDelayMs: 10_000,
          maxDelayMs: 10_000,
        },
        { random: () => 1 },
      ),
    ).catch((caught: unknown) => caught);
    await expect.poll(() => upstream.requests.length, { timeout: 10_000 }).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'aborted' });
  });
});
