import type { EventSourceMessage } from 'eventsource-parser';
import type {
  Response as OpenAIResponse,
  ResponseStreamEvent,
  ResponseUsage,
} from 'openai/resources/responses/responses';
import type { ProviderEvent } from '../provider';
import { ProviderError } from '../provider-error';
import { type InterpretedMessage, isObject, parseJsonObject } from '../read-event-stream';

/** HTTP statuses for the error codes OpenAI reports inside a stream, so `isRetryable` follows them. */
const errorCodeStatuses: Readonly<Record<string, number>> = {
  insufficient_quota: 402,
  invalid_prompt: 400,
  invalid_request_error: 400,
  rate_limit_exceeded: 429,
  server_error: 500,
  vector_store_timeout: 504,
};

export function streamErrorOf(code: string | null | undefined, message: string | undefined) {
  const name = code ?? 'server_error';
  return new ProviderError(message ?? 'The provider reported an error', {
    kind: 'upstream',
    status: errorCodeStatuses[name],
    code: name,
  });
}

export function usageEventOf(usage: ResponseUsage | null | undefined): ProviderEvent[] {
  if (!usage) return [];
  return [
    { type: 'usage', inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 },
  ];
}

/** `response.incomplete`'s reason as a finish reason: out of tokens is partial, a filter fails. */
function incompleteReason(response: Partial<OpenAIResponse> | undefined): string {
  const reason = response?.incomplete_details?.reason;
  return reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
}

/** The terminal events of a whole response (streamed `response.*` or a non-streaming body). */
export function terminalEventsOf(response: Partial<OpenAIResponse> | undefined): ProviderEvent[] {
  switch (response?.status) {
    case 'completed':
      return [
        ...usageEventOf(response.usage),
        { type: 'finish', reason: 'stop', nativeReason: 'completed' },
      ];
    case 'incomplete':
      return [
        ...usageEventOf(response.usage),
        { type: 'finish', reason: incompleteReason(response), nativeReason: 'incomplete' },
      ];
    case 'failed':
      return [
        { type: 'error', error: streamErrorOf(response.error?.code, response.error?.message) },
        ...usageEventOf(response.usage),
      ];
    default:
      return [];
  }
}

/** `error` as OpenAI documents it (code and message on the event) or nested under `error`. */
function errorEventOf(event: Record<string, unknown>): ProviderError {
  const nested = isObject(event.error) ? event.error : event;
  const code =
    typeof nested.code === 'string'
      ? nested.code
      : typeof nested.type === 'string'
        ? nested.type
        : null;
  const message = typeof nested.message === 'string' ? nested.message : undefined;
  return streamErrorOf(code, message);
}

/**
 * Interprets one Responses SSE message. Text deltas are the content; reasoning summary and
 * reasoning text deltas are kept apart; an `error` event is followed by `response.failed`,
 * reported once.
 */
export function createResponsesEventReader() {
  let reportedError = false;
  return function interpret(message: EventSourceMessage): InterpretedMessage {
    if (message.data.trim() === '[DONE]') return { events: [], done: true };
    const parsed = parseJsonObject(message.data);
    if (!parsed.success) {
      return {
        events: [
          {
            type: 'error',
            error: new ProviderError(
              `The provider sent an event that is ${parsed.error}: ${message.data.slice(0, 200)}`,
              { kind: 'invalid-chunk' },
            ),
          },
        ],
      };
    }
    const event = parsed.value as unknown as ResponseStreamEvent;
    switch (event.type) {
      case 'response.created':
        return {
          events: [
            { type: 'response-metadata', id: event.response?.id, model: event.response?.model },
          ],
        };
      case 'response.output_text.delta':
        return { events: event.delta ? [{ type: 'text-delta', text: event.delta }] : [] };
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return { events: event.delta ? [{ type: 'reasoning-delta', text: event.delta }] : [] };
      case 'response.completed':
      case 'response.incomplete':
        return { events: terminalEventsOf(event.response), done: true };
      case 'response.failed': {
        const events = terminalEventsOf(event.response);
        return {
          events: reportedError ? events.filter((item) => item.type !== 'error') : events,
          done: true,
        };
      }
      case 'error':
        reportedError = true;
        return { events: [{ type: 'error', error: errorEventOf(parsed.value) }] };
      default:
        return { events: [] };
    }
  };
}
