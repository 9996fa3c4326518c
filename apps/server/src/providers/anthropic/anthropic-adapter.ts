import type { Message, MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';
import { httpError, withAbortableRequest } from '../http-error';
import type { ProviderAdapter, ProviderEvent, ProviderRequest } from '../provider';
import { ProviderError, toProviderError } from '../provider-error';
import { readEventStream } from '../read-event-stream';
import { createAnthropicEventReader, finishReasonOf } from './anthropic-event';

export const anthropicDefaultBaseUrl = 'https://api.anthropic.com';
export const anthropicVersion = '2023-06-01';
/** Anthropic requires `max_tokens`; used when the request sets none. */
export const anthropicDefaultMaxTokens = 4096;

export interface AnthropicAdapterOptions {
  /** Ends before `/v1/messages`. Default https://api.anthropic.com. */
  baseUrl?: string;
  /** Sent as `x-api-key` unless the request carries its own `apiKey`. */
  apiKey?: string;
  fetch?: typeof fetch;
}

type AnthropicBody = Omit<MessageCreateParamsStreaming, 'messages' | 'system'> & {
  system?: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
};

/**
 * The Messages request for a normalised one. Leading system messages become `system`; a
 * later one (chat's post-system prompt) is sent as a user turn, since Messages has no
 * system role. A JSON schema becomes a forced tool whose input streams as the document.
 */
export function anthropicRequestBody(request: ProviderRequest): AnthropicBody {
  const system: string[] = [];
  const messages: AnthropicBody['messages'] = [];
  for (const message of request.messages) {
    if (message.role === 'system' && messages.length === 0) system.push(message.content);
    else {
      messages.push({
        role: message.role === 'assistant' ? 'assistant' : 'user',
        content: message.content,
      });
    }
  }
  const body: AnthropicBody = {
    model: request.model,
    max_tokens: request.maxTokens ?? anthropicDefaultMaxTokens,
    messages,
    stream: true,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  // No temperature: the SDK's published parameters (1.14) no longer carry one.
  const format = request.responseFormat;
  if (format?.type === 'json_schema') {
    body.tools = [
      {
        name: format.name,
        description: 'Write the whole answer as this tool input.',
        input_schema: format.schema as { type: 'object' },
      },
    ];
    body.tool_choice = { type: 'tool', name: format.name };
  }
  return body;
}

/** A whole Message where a stream was expected. */
export function eventsFromMessage(text: string, toolInputAsText: boolean): ProviderEvent[] {
  const message = JSON.parse(text) as Partial<Message>;
  const events: ProviderEvent[] = [
    { type: 'response-metadata', id: message.id, model: message.model },
  ];
  for (const block of message.content ?? []) {
    if (block.type === 'text' && block.text) events.push({ type: 'text-delta', text: block.text });
    if (block.type === 'tool_use' && toolInputAsText) {
      events.push({ type: 'text-delta', text: JSON.stringify(block.input) });
    }
  }
  if (message.usage) {
    events.push({
      type: 'usage',
      inputTokens:
        (message.usage.input_tokens ?? 0) +
        (message.usage.cache_creation_input_tokens ?? 0) +
        (message.usage.cache_read_input_tokens ?? 0),
      outputTokens: message.usage.output_tokens ?? 0,
    });
  }
  if (message.stop_reason) {
    events.push({
      type: 'finish',
      reason: finishReasonOf(message.stop_reason, toolInputAsText),
      nativeReason: message.stop_reason,
    });
  }
  return events;
}

/** Anthropic Messages (`POST /v1/messages`, `stream: true`) over fetch + eventsource-parser. */
export function createAnthropicAdapter(options: AnthropicAdapterOptions = {}): ProviderAdapter {
  const baseUrl = (options.baseUrl ?? anthropicDefaultBaseUrl)
    .replace(/\/+$/, '')
    .replace(/\/v1$/, '');
  const fetchImplementation = options.fetch ?? fetch;

  return {
    name: 'anthropic',
    stream(request, signal) {
      return withAbortableRequest(signal, async function* (requestSignal) {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'anthropic-version': anthropicVersion,
        };
        const apiKey = request.apiKey ?? options.apiKey;
        if (apiKey) headers['x-api-key'] = apiKey;
        const toolInputAsText = request.responseFormat?.type === 'json_schema';

        let response: Response;
        try {
          response = await fetchImplementation(`${baseUrl}/v1/messages`, {
            method: 'POST',
            headers,
            body: JSON.stringify(anthropicRequestBody(request)),
            signal: requestSignal,
          });
        } catch (error) {
          throw toProviderError(error, requestSignal);
        }
        if (!response.ok) throw await httpError(response);
        if (!response.body) {
          throw new ProviderError('The model provider sent an empty response', { kind: 'network' });
        }
        try {
          if ((response.headers.get('content-type') ?? '').includes('application/json')) {
            yield* eventsFromMessage(await response.text(), toolInputAsText);
            return;
          }
          yield* readEventStream(response.body, createAnthropicEventReader({ toolInputAsText }));
        } catch (error) {
          throw toProviderError(error, requestSignal);
        }
      });
    },
  };
}
