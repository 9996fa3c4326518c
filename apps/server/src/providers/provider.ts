import type { ProviderError } from './provider-error';

export interface ProviderMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type ProviderResponseFormat =
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean }
  | { type: 'json_object' };

export interface ProviderRequest {
  model: string;
  /** Tried in order by the provider when `model` is unavailable (OpenRouter `models[]`). */
  fallbackModels?: readonly string[];
  messages: readonly ProviderMessage[];
  temperature?: number;
  maxTokens?: number;
  responseFormat?: ProviderResponseFormat;
  /**
   * The key that pays for this request (a user's or the app-wide one), instead of the
   * adapter's own. Sent only as the credential: never in the body, never logged.
   */
  apiKey?: string;
}

export interface ProviderUsage {
  inputTokens: number;
  outputTokens: number;
  /** What the provider billed, when it says (OpenRouter); otherwise computed from a price table. */
  cost?: number;
  /**
   * A figure the provider sends before the end and revises later (Anthropic's
   * `message_start`: the input tokens, and one output token).
   */
  provisional?: boolean;
}

/** What every provider stream is normalised to. */
export type ProviderEvent =
  | { type: 'response-metadata'; id?: string; model?: string; provider?: string }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | ({ type: 'usage' } & ProviderUsage)
  | { type: 'finish'; reason: string; nativeReason?: string }
  /** An error reported inside the stream (HTTP 200); the stream may still carry usage after it. */
  | { type: 'error'; error: ProviderError }
  /** A keep-alive comment: the connection is alive but nothing was produced. */
  | { type: 'keep-alive' };

export interface ProviderAdapter {
  readonly name: string;
  /**
   * Streams one completion. Throws ProviderError for failures that end the stream
   * (HTTP status, network, abort); the signal reaches the socket.
   */
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderEvent>;
}
