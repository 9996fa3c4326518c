import { ProviderError, parseRetryAfter } from './provider-error';

/** A non-2xx answer as a ProviderError: the provider's own message when its body says one. */
export async function httpError(response: Response): Promise<ProviderError> {
  const text = await response.text().catch(() => '');
  return httpErrorOf(
    response.status,
    response.statusText,
    text,
    response.headers.get('retry-after'),
  );
}

/** The same from an answer's parts (for a `node:http` response, already read). */
export function httpErrorOf(
  status: number,
  statusText: string,
  text: string,
  retryAfter: string | null,
): ProviderError {
  let message = text.slice(0, 500) || statusText;
  let code: string | undefined;
  try {
    const parsed = JSON.parse(text) as {
      error?: { message?: string; type?: string; code?: string | number } | string;
      message?: string;
    };
    const error = parsed.error;
    message = (typeof error === 'string' ? error : error?.message) ?? parsed.message ?? message;
    if (typeof error === 'object' && error !== null) {
      const named = error.code ?? error.type;
      if (typeof named === 'string') code = named;
    }
  } catch {
    // Not JSON: keep the raw text.
  }
  return new ProviderError(`The model provider answered HTTP ${status}: ${message}`, {
    kind: 'http',
    status,
    code,
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}

/**
 * Runs one upstream request with the caller's signal reaching the socket: our own controller
 * also closes it when the consumer stops reading early. `fetch` failures become ProviderErrors.
 */
export async function* withAbortableRequest<T>(
  signal: AbortSignal,
  run: (requestSignal: AbortSignal) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const controller = new AbortController();
  const abort = () => controller.abort(signal.reason);
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    yield* run(controller.signal);
  } finally {
    signal.removeEventListener('abort', abort);
    controller.abort();
  }
}
