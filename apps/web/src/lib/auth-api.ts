/**
 * The four Better Auth routes the web app uses, over plain fetch (same origin, the session
 * cookie rides along). Better Auth's own client adds about 11 kB gzip for these four calls.
 */

const authBase = '/api/auth';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** A refusal from Better Auth, with the sentence to show. */
export class AuthRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AuthRequestError';
  }
}

export const authUnreachableMessage =
  "Can't reach the Sluice server. Check that it is running, then try again.";

/** One plain sentence for a refused auth request: Better Auth's own message where it gave one. */
export function describeAuthFailure(
  status: number,
  body: unknown,
  retryAfterSeconds: string | null,
): string {
  const given =
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message.trim()
      : '';
  if (status === 429) {
    // The per-account limit says when itself; the per-IP limit only sends X-Retry-After.
    if (/try again in \d+/i.test(given)) return given;
    const seconds = Number(retryAfterSeconds);
    return Number.isFinite(seconds) && seconds > 0
      ? `Too many attempts; try again in ${Math.ceil(seconds)} s.`
      : 'Too many attempts; try again in a minute.';
  }
  if (status === 403 && given === '') return 'Sign-up is closed on this server.';
  if (status === 401 && given === '') return 'Wrong email or password.';
  if (given !== '') return /[.!?]$/.test(given) ? given : `${given}.`;
  return `The server refused this (HTTP ${status}). Try again.`;
}

async function post(path: string, body: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${authBase}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new AuthRequestError(authUnreachableMessage, 0);
  }
  const answer: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const retryAfter = response.headers.get('retry-after') ?? response.headers.get('x-retry-after');
    throw new AuthRequestError(
      describeAuthFailure(response.status, answer, retryAfter),
      response.status,
    );
  }
  return answer;
}

export async function signInWithEmail(input: { email: string; password: string }): Promise<void> {
  await post('/sign-in/email', input);
}

export async function signUpWithEmail(input: {
  email: string;
  password: string;
  name: string;
}): Promise<void> {
  await post('/sign-up/email', input);
}

export async function signOut(): Promise<void> {
  await post('/sign-out', {});
}
