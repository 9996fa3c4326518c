import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createParser } from 'eventsource-parser';
import { httpError, httpErrorOf } from '../http-error';
import type { ProviderAdapter, ProviderEvent, ProviderRequest } from '../provider';
import { ProviderError, toProviderError } from '../provider-error';
import { parseChatCompletionChunk } from './openrouter-chunk';

export const openRouterDefaultBaseUrl = 'https://openrouter.ai/api/v1';

export interface OpenRouterAdapterOptions {
  /** Any OpenRouter/OpenAI-compatible base URL, ending before `/chat/completions`. */
  baseUrl?: string;
  /**
   * Sent as a Bearer token unless the request carries its own `apiKey`; without either no
   * Authorization header is sent.
   */
  apiKey?: string;
  /** Shown in OpenRouter's dashboard. */
  appName?: string;
  appUrl?: string;
  fetch?: typeof fetch;
}

function requestBody(request: ProviderRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.fallbackModels && request.fallbackModels.length > 0) {
    body.models = [
      request.model,
      ...request.fallbackModels.filter((model) => model !== request.model),
    ];
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  const format = request.responseFormat;
  if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: format.name, strict: format.strict ?? false, schema: format.schema },
    };
  } else if (format?.type === 'json_object') {
    body.response_format = { type: 'json_object' };
  }
  return body;
}

/** A JSON body where a stream was expected (servers that ignore `stream: true`). */
function eventsFromCompletion(text: string): ProviderEvent[] {
  const completion = JSON.parse(text) as {
    choices?: Array<{ message?: { content?: string }; finish_reason?: string }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number; cost?: number };
  };
  const choice = completion.choices?.[0];
  const events: ProviderEvent[] = [];
  if (choice?.message?.content) events.push({ type: 'text-delta', text: choice.message.content });
  if (choice?.finish_reason) events.push({ type: 'finish', reason: choice.finish_reason });
  if (completion.usage) {
    events.push({
      type: 'usage',
      inputTokens: completion.usage.prompt_tokens ?? 0,
      outputTokens: completion.usage.completion_tokens ?? 0,
      cost: completion.usage.cost,
    });
  }
  return events;
}

/**
 * The events of one network read, with consecutive text (and reasoning) deltas joined into
 * one: a read that carries many tokens (a fast upstream, a busy server catching up) costs one
 * event downstream, not one per token. Order and every character are kept.
 */
export function joinDeltas(events: ProviderEvent[]): ProviderEvent[] {
  if (events.length < 2) return events;
  const joined: ProviderEvent[] = [];
  let run: { type: 'text-delta' | 'reasoning-delta'; texts: string[] } | undefined;
  const closeRun = () => {
    if (!run) return;
    joined.push({
      type: run.type,
      text: run.texts.length === 1 ? (run.texts[0] as string) : run.texts.join(''),
    });
    run = undefined;
  };
  for (const event of events) {
    if (event.type === 'text-delta' || event.type === 'reasoning-delta') {
      if (run?.type === event.type) {
        run.texts.push(event.text);
        continue;
      }
      closeRun();
      run = { type: event.type, texts: [event.text] };
      continue;
    }
    closeRun();
    joined.push(event);
  }
  closeRun();
  return joined;
}

/**
 * An SSE body read into normalised events, one batch per network read (see joinDeltas):
 * `feed` takes each read's bytes and returns its events. Bytes are decoded with a streaming
 * TextDecoder (multibyte characters split across reads are kept whole) and framed by
 * eventsource-parser (comments, CRLF, events without a final blank line).
 */
export function createChatCompletionReader() {
  let pending: ProviderEvent[] = [];
  let seenMetadata = false;
  let done = false;
  const parser = createParser({
    onEvent(message) {
      if (done) return;
      const data = message.data.trim();
      if (data === '[DONE]') {
        done = true;
        return;
      }
      if (data === '') return;
      const events = parseChatCompletionChunk(data, seenMetadata);
      for (const event of events) {
        if (event.type === 'response-metadata') seenMetadata = true;
        pending.push(event);
      }
    },
    onComment() {
      pending.push({ type: 'keep-alive' });
    },
  });
  const decoder = new TextDecoder();
  const take = (): ProviderEvent[] => {
    if (pending.length === 0) return pending;
    const batch = joinDeltas(pending);
    pending = [];
    return batch;
  };
  return {
    feed(bytes: Uint8Array): ProviderEvent[] {
      if (done) return [];
      parser.feed(decoder.decode(bytes, { stream: true }));
      return take();
    },
    /** The body ended: a last event with no terminating blank line still counts. */
    end(): ProviderEvent[] {
      if (done) return [];
      parser.feed(`${decoder.decode()}\n\n`);
      return take();
    },
    /** `[DONE]` was read: nothing after it counts. */
    get done() {
      return done;
    },
  };
}

/** Reads an SSE body into normalised events, one batch per network read (see createChatCompletionReader). */
export async function* readChatCompletionStream(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<ProviderEvent> {
  const reader = createChatCompletionReader();
  for await (const bytes of body) {
    for (const event of reader.feed(bytes)) yield event;
    if (reader.done) return;
  }
  for (const event of reader.end()) yield event;
}

/** Events an upstream response may have read ahead of its consumer before it is paused. */
const readAheadEvents = 256;

/**
 * The request over `node:http(s)`: each network read is parsed in the socket's `data` event
 * and its batch handed to the consumer with one wake-up, without a web stream (a promise
 * chain per read) in between. The signal and an early stop destroy the socket.
 */
async function* streamOverHttp(
  url: URL,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): AsyncGenerator<ProviderEvent> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const outgoing = send(url, {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    signal,
  });
  let response: IncomingMessage | undefined;
  try {
    const received = await new Promise<IncomingMessage>((resolve, reject) => {
      outgoing.once('response', resolve);
      outgoing.once('error', reject);
      outgoing.end(body);
    }).catch((error: unknown) => {
      throw toProviderError(error, signal);
    });
    response = received;
    const status = received.statusCode ?? 0;
    const contentType = String(received.headers['content-type'] ?? '');
    if (status < 200 || status >= 300 || contentType.includes('application/json')) {
      const text = await readText(received).catch((error: unknown) => {
        throw toProviderError(error, signal);
      });
      if (status < 200 || status >= 300) {
        const retryAfter = received.headers['retry-after'];
        throw httpErrorOf(
          status,
          received.statusMessage ?? '',
          text,
          typeof retryAfter === 'string' ? retryAfter : null,
        );
      }
      try {
        yield* eventsFromCompletion(text);
      } catch (error) {
        throw toProviderError(error, signal);
      }
      return;
    }

    const reader = createChatCompletionReader();
    let batches: ProviderEvent[][] = [];
    let queued = 0;
    let ended = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const wakeReader = () => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    received.on('data', (bytes: Buffer) => {
      const events = reader.feed(bytes);
      if (events.length === 0) return;
      batches.push(events);
      queued += events.length;
      if (queued >= readAheadEvents) received.pause();
      wakeReader();
    });
    received.once('end', () => {
      const events = reader.end();
      if (events.length > 0) batches.push(events);
      ended = true;
      wakeReader();
    });
    received.once('error', (error) => {
      failure ??= error;
      wakeReader();
    });
    received.once('close', () => {
      // A socket cut mid-body ends with `close`, not `end`.
      if (!ended) failure ??= new Error('The connection closed before the response ended');
      wakeReader();
    });

    for (;;) {
      if (batches.length > 0) {
        const taken = batches;
        batches = [];
        queued = 0;
        if (received.isPaused()) received.resume();
        for (const events of taken) {
          for (const event of events) yield event;
        }
        if (reader.done) return;
        continue;
      }
      if (failure !== undefined) throw toProviderError(failure, signal);
      if (ended || reader.done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // A response read to its end leaves the connection to the agent for the next request.
    if (response?.complete) response.resume();
    else outgoing.destroy();
  }
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
  });
}

export function createOpenRouterAdapter(options: OpenRouterAdapterOptions = {}): ProviderAdapter {
  const baseUrl = (options.baseUrl ?? openRouterDefaultBaseUrl).replace(/\/+$/, '');
  const fetchImplementation = options.fetch;

  function headersFor(request: ProviderRequest): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
    };
    const apiKey = request.apiKey ?? options.apiKey;
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (options.appUrl) headers['http-referer'] = options.appUrl;
    if (options.appName) headers['x-title'] = options.appName;
    return headers;
  }

  return {
    name: 'openrouter',
    stream(request, signal) {
      const body = JSON.stringify(requestBody(request));
      return fetchImplementation
        ? streamOverFetch(fetchImplementation, headersFor(request), body, signal)
        : streamOverHttp(new URL(`${baseUrl}/chat/completions`), headersFor(request), body, signal);
    },
  };

  async function* streamOverFetch(
    fetchWith: typeof fetch,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): AsyncGenerator<ProviderEvent> {
    // Our own controller also closes the socket when the consumer stops early.
    const controller = new AbortController();
    const abort = () => controller.abort(signal.reason);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      let response: Response;
      try {
        response = await fetchWith(`${baseUrl}/chat/completions`, {
          method: 'POST',
          headers,
          body,
          signal: controller.signal,
        });
      } catch (error) {
        throw toProviderError(error, controller.signal);
      }
      if (!response.ok) throw await httpError(response);
      if (!response.body) {
        throw new ProviderError('The model provider sent an empty response', { kind: 'network' });
      }
      const contentType = response.headers.get('content-type') ?? '';
      try {
        if (contentType.includes('application/json')) {
          yield* eventsFromCompletion(await response.text());
          return;
        }
        yield* readChatCompletionStream(response.body);
      } catch (error) {
        throw toProviderError(error, controller.signal);
      }
    } finally {
      signal.removeEventListener('abort', abort);
      controller.abort();
    }
  }
}
