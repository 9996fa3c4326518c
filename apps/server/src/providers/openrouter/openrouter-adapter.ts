import { createParser } from 'eventsource-parser';
import { httpError } from '../http-error';
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
 * Reads an SSE body into normalised events, one batch per network read (see joinDeltas).
 * Bytes are decoded with a streaming TextDecoder (multibyte characters split across reads
 * are kept whole) and framed by eventsource-parser (comments, CRLF, events without a final
 * blank line).
 */
export async function* readChatCompletionStream(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<ProviderEvent> {
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
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (pending.length > 0) {
      const batch = joinDeltas(pending);
      pending = [];
      for (const event of batch) yield event;
    }
    if (done) return;
  }
  // A last event with no terminating blank line still counts (an empty one is ignored).
  parser.feed(`${decoder.decode()}\n\n`);
  for (const event of joinDeltas(pending)) yield event;
}

export function createOpenRouterAdapter(options: OpenRouterAdapterOptions = {}): ProviderAdapter {
  const baseUrl = (options.baseUrl ?? openRouterDefaultBaseUrl).replace(/\/+$/, '');
  const fetchImplementation = options.fetch ?? fetch;

  return {
    name: 'openrouter',
    async *stream(request, signal) {
      // Our own controller also closes the socket when the consumer stops early.
      const controller = new AbortController();
      const abort = () => controller.abort(signal.reason);
      if (signal.aborted) abort();
      signal.addEventListener('abort', abort, { once: true });
      try {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          accept: 'text/event-stream',
        };
        const apiKey = request.apiKey ?? options.apiKey;
        if (apiKey) headers.authorization = `Bearer ${apiKey}`;
        if (options.appUrl) headers['http-referer'] = options.appUrl;
        if (options.appName) headers['x-title'] = options.appName;

        let response: Response;
        try {
          response = await fetchImplementation(`${baseUrl}/chat/completions`, {
            method: 'POST',
            headers,
            body: JSON.stringify(requestBody(request)),
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
    },
  };
}
