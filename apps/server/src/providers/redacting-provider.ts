import type { ProviderAdapter, ProviderEvent } from './provider';
import { ProviderError } from './provider-error';
import { redactSecrets } from './redact-secrets';

function redactError(error: ProviderError, secrets: readonly string[]): ProviderError {
  const message = redactSecrets(error.message, secrets);
  if (message === error.message) return error;
  // The cause may hold the raw text; the kind, status and retry hint are what callers use.
  return new ProviderError(message, {
    kind: error.kind,
    status: error.status,
    code: error.code,
    retryAfterMs: error.retryAfterMs,
  });
}

/**
 * The adapter with the configured keys, the request's own key (and any token) taken out of every error it throws
 * or reports, before the text reaches an `end` event, a stored row or a log.
 */
export function withRedactedErrors(
  adapter: ProviderAdapter,
  configuredSecrets: readonly string[],
): ProviderAdapter {
  return {
    name: adapter.name,
    async *stream(request, signal) {
      // The request's own key (a user's) is as secret as the configured ones.
      const secrets = request.apiKey ? [...configuredSecrets, request.apiKey] : configuredSecrets;
      try {
        for await (const event of adapter.stream(request, signal)) {
          yield (
            event.type === 'error'
              ? { type: 'error', error: redactError(event.error, secrets) }
              : event
          ) satisfies ProviderEvent;
        }
      } catch (error) {
        throw error instanceof ProviderError ? redactError(error, secrets) : error;
      }
    },
  };
}
