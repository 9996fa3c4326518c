import { credentialHeaders, defaultCredentialsFor } from './test-stack';

/** One call of a raw tRPC HTTP batch. */
export interface BatchCall {
  path: string;
  input: unknown;
}

export type BatchOutcome =
  | { ok: true; data: unknown }
  | { ok: false; code: string | undefined; message: string };

/**
 * Sends every call in ONE HTTP request (`POST /trpc/a,b,c?batch=1`), as a client that
 * batches, or a hostile one, would; answers the outcome of each call in order.
 */
export async function postBatch(
  baseUrl: string,
  calls: readonly BatchCall[],
): Promise<BatchOutcome[]> {
  const paths = calls.map((call) => call.path).join(',');
  const body = Object.fromEntries(calls.map((call, index) => [String(index), call.input]));
  const response = await fetch(`${baseUrl}/trpc/${paths}?batch=1`, {
    method: 'POST',
    // As the stack's first user: these calls test the limits, not authentication.
    headers: {
      'content-type': 'application/json',
      ...credentialHeaders(defaultCredentialsFor(baseUrl)),
    },
    body: JSON.stringify(body),
  });
  const answers = (await response.json()) as Array<
    { result: { data: unknown } } | { error: { message: string; data?: { code?: string } } }
  >;
  if (!Array.isArray(answers) || answers.length !== calls.length) {
    throw new Error(
      `Expected ${calls.length} answers, got ${JSON.stringify(answers).slice(0, 300)}`,
    );
  }
  return answers.map((answer) =>
    'result' in answer
      ? { ok: true, data: answer.result.data }
      : { ok: false, code: answer.error.data?.code, message: answer.error.message },
  );
}
