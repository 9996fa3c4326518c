import { simulatorProvider } from './create-chunk-factory';

const statusMessages: Readonly<Record<number, string>> = {
  400: 'Bad Request (simulated)',
  401: 'No auth credentials found',
  402: 'Insufficient credits. Add more using https://openrouter.ai/settings/credits',
  408: 'Request timed out (simulated)',
  429: 'Rate limit exceeded: simulated limit. Please retry shortly.',
  500: 'Internal Server Error',
  502: 'Provider returned error',
  503: 'No instances available (simulated)',
  504: 'Gateway timeout (simulated)',
};

/** OpenRouter's HTTP error body: `{"error":{"code":<status>,"message":…}}`, with metadata for upstream failures. */
export function createErrorBody(status: number, message = statusMessages[status]): object {
  const error = { code: status, message: message ?? `Simulated HTTP ${status}` };
  if (status < 500) return { error };
  return {
    error: {
      ...error,
      metadata: { raw: 'Simulated upstream failure', provider_name: simulatorProvider },
    },
    user_id: 'user_simulator',
  };
}

/** An error-only stream event: no `id`, `object` or `choices` (see openrouter-error-only-upstream-502.sse). */
export function createErrorOnlyPayload(): object {
  return {
    error: {
      message: `Upstream error from ${simulatorProvider}: the simulated engine stopped before the first token.`,
      code: 502,
      metadata: { provider_name: simulatorProvider },
    },
    user_id: 'user_simulator',
  };
}
