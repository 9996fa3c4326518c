import { redactSecrets } from './redact-secrets';

export type ProviderErrorKind =
  /** The upstream answered with a non-2xx HTTP status before streaming. */
  | 'http'
  /** An error chunk inside an HTTP 200 stream (OpenRouter's mid-stream errors). */
  | 'upstream'
  /** A chunk that is not the JSON we expect. */
  | 'invalid-chunk'
  /** The connection failed or dropped. */
  | 'network'
  /** Our own AbortSignal fired (cancel, abandonment, timeout). */
  | 'aborted';

export interface ProviderErrorOptions {
  kind: ProviderErrorKind;
  status?: number;
  code?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

const retryableStatuses = new Set([408, 409, 425, 429]);

export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status) || status >= 500;
}

/** The one error type every provider adapter throws or reports. */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    // Upstream text may quote credentials back: token shapes never get past here.
    super(redactSecrets(message), { cause: options.cause });
    this.name = 'ProviderError';
    this.kind = options.kind;
    this.status = options.status;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }

  get isRetryable(): boolean {
    switch (this.kind) {
      case 'network':
        return true;
      case 'http':
      case 'upstream':
        return this.status === undefined
          ? this.kind === 'upstream'
          : isRetryableStatus(this.status);
      default:
        return false;
    }
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    (error instanceof Error || error instanceof DOMException) &&
    (error.name === 'AbortError' || error.name === 'TimeoutError')
  );
}

/** Wraps anything thrown while talking to a provider in a ProviderError. */
export function toProviderError(error: unknown, signal?: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted || isAbortError(error)) {
    return new ProviderError('The request was aborted', { kind: 'aborted', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new ProviderError(`Could not reach the model provider (${message}${cause})`, {
    kind: 'network',
    cause: error,
  });
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
