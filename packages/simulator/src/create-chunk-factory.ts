import type { Usage } from './create-usage';

export const simulatorProvider = 'Sluice Simulator';

export type FinishReason = 'stop' | 'length';

export interface GenerationIdentity {
  /** `gen-<unix seconds>-<20 characters>`, like OpenRouter's generation ids. */
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
}

/** Builds the JSON payloads of one generation, field for field as OpenRouter sends them. */
export interface ChunkFactory {
  /** A content delta (see openrouter-chat-basic.sse); the first one of a stream is empty. */
  content(text: string): object;
  /** An empty delta carrying the finish reason. */
  finish(reason: FinishReason): object;
  /** The final usage chunk, with `choices: []` (see openrouter-chat-usage-empty-choices.sse). */
  usage(usage: Usage): object;
  /** A mid-stream error sent with HTTP 200 (see openrouter-midstream-error-docs-example.sse). */
  midstreamError(message: string): object;
  /** A whole `chat.completion` for `stream: false`. */
  completion(content: string, usage: Usage): object;
}

export function createChunkFactory(identity: GenerationIdentity): ChunkFactory {
  const header = {
    id: identity.id,
    provider: simulatorProvider,
    model: identity.model,
    object: 'chat.completion.chunk',
    created: identity.created,
  };
  const choice = (content: string, reason: FinishReason | null) => ({
    index: 0,
    delta: { role: 'assistant', content },
    finish_reason: reason,
    native_finish_reason: reason,
    logprobs: null,
  });
  return {
    content: (text) => ({ ...header, choices: [choice(text, null)] }),
    finish: (reason) => ({ ...header, choices: [choice('', reason)] }),
    usage: (usage) => ({ ...header, choices: [], usage }),
    midstreamError: (message) => ({
      ...header,
      error: { code: 'server_error', message },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    }),
    completion: (content, usage) => ({
      ...header,
      object: 'chat.completion',
      choices: [
        {
          logprobs: null,
          finish_reason: 'stop',
          native_finish_reason: 'stop',
          index: 0,
          message: { role: 'assistant', content, refusal: null, reasoning: null },
        },
      ],
      usage,
    }),
  };
}
