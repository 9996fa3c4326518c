import type {
  Response as OpenAIResponse,
  ResponseCreateParamsStreaming,
} from 'openai/resources/responses/responses';
import { httpError, withAbortableRequest } from '../http-error';
import type { ProviderAdapter, ProviderEvent, ProviderRequest } from '../provider';
import { type ProviderError, toProviderError } from '../provider-error';
import { readEventStream } from '../read-event-stream';
import { createResponsesEventReader, terminalEventsOf } from './openai-responses-event';

export const openAIDefaultBaseUrl = 'https://api.openai.com/v1';

export interface OpenAIResponsesAdapterOptions {
  /** Ends before `/responses`. Default https://api.openai.com/v1. */
  baseUrl?: string;
  /** Sent as a Bearer token unless the request carries its own `apiKey`. */
  apiKey?: string;
  fetch?: typeof fetch;
}

type ResponsesBody = Omit<ResponseCreateParamsStreaming, 'stream'> & { stream: boolean };

/** The Responses request for a normalised one; a JSON schema becomes `text.format`. */
export function responsesRequestBody(request: ProviderRequest, stream: boolean): ResponsesBody {
  const body: ResponsesBody = {
    model: request.model,
    input: request.messages.map((message) => ({ role: message.role, content: message.content })),
    stream,
    // Nothing is kept at OpenAI: every request carries its whole conversation.
    store: false,
  };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body.max_output_tokens = request.maxTokens;
  const format = request.responseFormat;
  if (format?.type === 'json_schema') {
    body.text = {
      format: {
        type: 'json_schema',
        name: format.name,
        schema: format.schema,
        strict: format.strict ?? false,
      },
    };
  } else if (format?.type === 'json_object') {
    body.text = { format: { type: 'json_object' } };
  }
  return body;
}

/** A whole Response (`stream: false`, or a server that ignored `stream: true`). */
export function eventsFromResponse(text: string): ProviderEvent[] {
  const response = JSON.parse(text) as Partial<OpenAIResponse>;
  const events: ProviderEvent[] = [
    { type: 'response-metadata', id: response.id, model: response.model },
  ];
  for (const item of response.output ?? []) {
    if (item.type === 'reasoning') {
      for (const part of item.summary ?? []) {
        if (part.text) events.push({ type: 'reasoning-delta', text: part.text });
      }
    }
    if (item.type === 'message') {
      for (const part of item.content ?? []) {
        if (part.type === 'output_text' && part.text)
          events.push({ type: 'text-delta', text: part.text });
      }
    }
  }
  return [...events, ...terminalEventsOf(response)];
}

/**
 * OpenAI refuses to stream some models to unverified organisations (HTTP 400 naming the
 * `stream` parameter); the same request then succeeds without streaming.
 */
export function refusesStreaming(error: ProviderError): boolean {
  return (
    error.status === 400 &&
    /\bstream/i.test(error.message) &&
    /\b(verif|not supported|unsupported)/i.test(error.message)
  );
}

/**
 * OpenAI Responses (`POST /responses`, `stream: true`) over fetch + eventsource-parser, with
 * a non-streaming fallback when streaming is refused.
 */
export function createOpenAIResponsesAdapter(
  options: OpenAIResponsesAdapterOptions = {},
): ProviderAdapter {
  const baseUrl = (options.baseUrl ?? openAIDefaultBaseUrl).replace(/\/+$/, '');
  const fetchImplementation = options.fetch ?? fetch;

  return {
    name: 'openai',
    stream(request, signal) {
      return withAbortableRequest(signal, async function* (requestSignal) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const apiKey = request.apiKey ?? options.apiKey;
        if (apiKey) headers.authorization = `Bearer ${apiKey}`;

        const send = async (stream: boolean) => {
          try {
            return await fetchImplementation(`${baseUrl}/responses`, {
              method: 'POST',
              headers: { ...headers, accept: stream ? 'text/event-stream' : 'application/json' },
              body: JSON.stringify(responsesRequestBody(request, stream)),
              signal: requestSignal,
            });
          } catch (error) {
            throw toProviderError(error, requestSignal);
          }
        };

        let response = await send(true);
        if (!response.ok) {
          const error = await httpError(response);
          if (!refusesStreaming(error)) throw error;
          response = await send(false);
          if (!response.ok) throw await httpError(response);
        }
        try {
          if ((response.headers.get('content-type') ?? '').includes('application/json')) {
            yield* eventsFromResponse(await response.text());
            return;
          }
          if (!response.body) throw new Error('the response has no body');
          yield* readEventStream(response.body, createResponsesEventReader());
        } catch (error) {
          throw toProviderError(error, requestSignal);
        }
      });
    },
  };
}
