import type { RawMessageStreamEvent, StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { EventSourceMessage } from 'eventsource-parser';
import type { ProviderEvent } from '../provider';
import { ProviderError } from '../provider-error';
import { type InterpretedMessage, parseJsonObject } from '../read-event-stream';

/** The events of a Messages stream: the SDK's published ones, plus `ping` and `error`. */
export type AnthropicStreamEvent =
  | RawMessageStreamEvent
  | { type: 'ping' }
  | { type: 'error'; error?: { type?: string; message?: string } };

/** HTTP statuses Anthropic documents for its error types, so `isRetryable` follows them. */
const errorTypeStatuses: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Anthropic's stop reasons in the engine's words: `stop` completes, `length` is partial,
 * anything else fails (`refusal` as `content_filter`, not retryable).
 */
export function finishReasonOf(stopReason: StopReason | string, toolInputAsText: boolean): string {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'tool_use':
      // The forced structured-output tool: its input is the document, so the turn is done.
      return toolInputAsText ? 'stop' : 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return stopReason;
  }
}

export interface AnthropicEventReaderOptions {
  /**
   * Stream a `tool_use` block's `input_json_delta` as text: the request forced a tool whose
   * input is the structured document (plans).
   */
  toolInputAsText: boolean;
}

function streamError(error: { type?: string; message?: string } | undefined): ProviderError {
  const type = error?.type ?? 'api_error';
  return new ProviderError(error?.message ?? 'The provider reported an error', {
    kind: 'upstream',
    status: errorTypeStatuses[type],
    code: type,
  });
}

/**
 * Interprets one Messages SSE message. The closure tracks the input tokens of
 * `message_start` (Anthropic repeats the usage cumulatively in `message_delta`).
 */
export function createAnthropicEventReader(options: AnthropicEventReaderOptions) {
  let inputTokens = 0;
  return function interpret(message: EventSourceMessage): InterpretedMessage {
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
    const event = parsed.value as unknown as AnthropicStreamEvent;
    const events: ProviderEvent[] = [];
    switch (event.type) {
      case 'message_start': {
        const usage = event.message?.usage;
        inputTokens =
          (usage?.input_tokens ?? 0) +
          (usage?.cache_creation_input_tokens ?? 0) +
          (usage?.cache_read_input_tokens ?? 0);
        events.push({
          type: 'response-metadata',
          id: event.message?.id,
          model: event.message?.model,
        });
        events.push({
          type: 'usage',
          inputTokens,
          outputTokens: usage?.output_tokens ?? 0,
          provisional: true,
        });
        break;
      }
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'text' && block.text)
          events.push({ type: 'text-delta', text: block.text });
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta' && delta.text) {
          events.push({ type: 'text-delta', text: delta.text });
        } else if (delta?.type === 'thinking_delta' && delta.thinking) {
          events.push({ type: 'reasoning-delta', text: delta.thinking });
        } else if (
          delta?.type === 'input_json_delta' &&
          options.toolInputAsText &&
          delta.partial_json
        ) {
          events.push({ type: 'text-delta', text: delta.partial_json });
        }
        break;
      }
      case 'message_delta': {
        const usage = event.usage;
        if (usage) {
          const reportedInput =
            (usage.input_tokens ?? 0) +
            (usage.cache_creation_input_tokens ?? 0) +
            (usage.cache_read_input_tokens ?? 0);
          events.push({
            type: 'usage',
            inputTokens: reportedInput > 0 ? reportedInput : inputTokens,
            outputTokens: usage.output_tokens ?? 0,
          });
        }
        const stopReason = event.delta?.stop_reason;
        if (stopReason) {
          events.push({
            type: 'finish',
            reason: finishReasonOf(stopReason, options.toolInputAsText),
            nativeReason: stopReason,
          });
        }
        break;
      }
      case 'message_stop':
        return { events, done: true };
      case 'ping':
        events.push({ type: 'keep-alive' });
        break;
      case 'error':
        events.push({ type: 'error', error: streamError(event.error) });
        break;
      default:
        break;
    }
    return { events };
  };
}
