/**
 * The bench's account on the Sluice server under test: every tRPC procedure needs a caller,
 * so the bench signs up the first account (the admin) on the fresh database and sends its
 * API key on every request. Any refusal (4xx) stops the bench with a clear message.
 */

/**
 * The server's limits, raised so the bench measures the engine and not the protections
 * against one hostile client: all the bench's streams belong to one account from one address.
 */
export const benchServerLimits: Record<string, string> = {
  MAX_SUBSCRIPTIONS_PER_CLIENT: '100000',
  MAX_SUBSCRIPTIONS: '100000',
  MAX_ACTIVE_GENERATIONS: '100000',
  MAX_BATCH_SIZE: '1000',
  // The overload guard refuses new generations while the event loop lags; on a shared,
  // loaded machine it would refuse the bench's streams instead of letting it measure them.
  MAX_EVENT_LOOP_DELAY_MS: '600000',
  AUTH_RATE_LIMIT_PER_IP: '100000',
  // Every stream is started by one account: 0 turns the per-user start rate off.
  RATE_LIMIT_GENERATIONS_PER_MINUTE: '0',
};

/** The server refused a request of the bench (401, 403, 429, …): the bench cannot measure. */
export class ServerRefusedError extends Error {
  override name = 'ServerRefusedError';
}

/** A refusal message for a 4xx HTTP status, with the start of the server's answer. */
export function refusalMessage(what: string, status: number, body: string): string {
  const hint =
    status === 401 || status === 403
      ? ' (the bench sends its API key as `Authorization: Bearer`; was the account created?)'
      : status === 429
        ? ' (a server limit the bench does not raise: see benchServerLimits in bench/src/relay/bench-account.ts)'
        : '';
  return `The Sluice server refused ${what}: HTTP ${status} ${body.slice(0, 300)}${hint}`;
}

async function checked(what: string, response: Response): Promise<Response> {
  if (response.ok) return response;
  throw new ServerRefusedError(refusalMessage(what, response.status, await response.text()));
}

/** `Authorization: Bearer <key>`, for raw requests. */
export function apiKeyHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}` };
}

/**
 * Signs up the bench admin (the first account of a fresh database) through Better Auth's
 * route, as a browser would, then creates an API key with the session cookie.
 */
export async function createBenchApiKey(baseUrl: string): Promise<string> {
  const origin = new URL(baseUrl).origin;
  const signUp = await checked(
    'the bench admin sign-up',
    await fetch(`${baseUrl}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({
        email: `bench-${process.pid}@example.com`,
        password: 'bench admin password, not a secret',
        name: 'bench',
      }),
    }),
  );
  const cookie = signUp.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  if (!cookie) throw new ServerRefusedError('The bench admin sign-up set no session cookie');
  const created = (await postProcedure(
    baseUrl,
    'account.createApiKey',
    { name: 'bench' },
    { cookie, origin },
  )) as { key?: unknown };
  if (typeof created.key !== 'string')
    throw new Error(`account.createApiKey answered no key: ${JSON.stringify(created)}`);
  return created.key;
}

/** One tRPC mutation over plain fetch (no batch); a refusal throws ServerRefusedError. */
export async function postProcedure(
  baseUrl: string,
  path: string,
  input: unknown,
  headers: Record<string, string>,
): Promise<unknown> {
  const response = await checked(
    path,
    await fetch(`${baseUrl}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(input),
    }),
  );
  const json = (await response.json()) as { result?: { data: unknown }; error?: unknown };
  if (!json.result) throw new Error(`${path} failed: ${JSON.stringify(json.error)}`);
  return json.result.data;
}
