import type { ProviderEvent } from '../provider';
import { ProviderError } from '../provider-error';

/** The parts of an OpenRouter / OpenAI chat.completion.chunk that we read. */
interface ChatCompletionChunk {
  id?: string;
  model?: string;
  provider?: string;
  error?: { code?: number | string; message?: string; metadata?: Record<string, unknown> };
  choices?: Array<{
    delta?: { content?: string | null; reasoning?: string | null } | null;
    finish_reason?: string | null;
    native_finish_reason?: string | null;
  }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    cost?: number | null;
  } | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function upstreamError(error: NonNullable<ChatCompletionChunk['error']>): ProviderError {
  const numericCode = typeof error.code === 'number' ? error.code : undefined;
  const raw =
    isObject(error.metadata) && typeof error.metadata.raw === 'string' ? error.metadata.raw : '';
  const message = error.message ?? 'The provider reported an error';
  return new ProviderError(raw && !message.includes(raw) ? `${message}: ${raw}` : message, {
    kind: 'upstream',
    status: numericCode,
    code: typeof error.code === 'string' ? error.code : undefined,
  });
}

/**
 * Turns one SSE `data:` payload into normalised events. The first chunk that names
 * the response also yields metadata (tracked by the caller through `seenMetadata`).
 */
export function parseChatCompletionChunk(data: string, seenMetadata: boolean): ProviderEvent[] {
  let chunk: ChatCompletionChunk;
  try {
    const parsed: unknown = JSON.parse(data);
    if (!isObject(parsed)) throw new Error('not an object');
    chunk = parsed as ChatCompletionChunk;
  } catch {
    return [
      {
        type: 'error',
        error: new ProviderError(
          `The provider sent a chunk that is not JSON: ${data.slice(0, 200)}`,
          {
            kind: 'invalid-chunk',
          },
        ),
      },
    ];
  }

  const events: ProviderEvent[] = [];
  if (!seenMetadata && (chunk.id || chunk.model)) {
    events.push({
      type: 'response-metadata',
      id: chunk.id,
      model: chunk.model,
      provider: chunk.provider,
    });
  }
  if (chunk.error) events.push({ type: 'error', error: upstreamError(chunk.error) });

  const choice = chunk.choices?.[0];
  const delta = choice?.delta;
  if (typeof delta?.reasoning === 'string' && delta.reasoning.length > 0) {
    events.push({ type: 'reasoning-delta', text: delta.reasoning });
  }
  if (typeof delta?.content === 'string' && delta.content.length > 0) {
    events.push({ type: 'text-delta', text: delta.content });
  }
  if (choice?.finish_reason) {
    events.push({
      type: 'finish',
      reason: choice.finish_reason,
      nativeReason: choice.native_finish_reason ?? undefined,
    });
  }
  if (chunk.usage) {
    events.push({
      type: 'usage',
      inputTokens: chunk.usage.prompt_tokens ?? 0,
      outputTokens: chunk.usage.completion_tokens ?? 0,
      cost: typeof chunk.usage.cost === 'number' ? chunk.usage.cost : undefined,
    });
  }
  return events;
}
