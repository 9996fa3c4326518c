import type { IncomingHttpHeaders } from 'node:http';
import { fromNodeHeaders } from 'better-auth/node';
import type { ApiKeys } from './api-keys';
import type { Caller } from './caller';
import type { Auth } from './create-auth';

/**
 * Who sent this request: `Authorization: Bearer <API key>` when present (a wrong key is
 * refused, never downgraded to the cookie), else the Better Auth session cookie, else null.
 * Called for every HTTP request, subscriptions included, so a revoked key or a signed-out
 * session is refused at the next request or reconnect.
 */
export function createCallerResolver(options: { auth: () => Auth; apiKeys: ApiKeys }) {
  return async function resolveCaller(headers: IncomingHttpHeaders): Promise<Caller | null> {
    const authorization = headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      return match?.[1] ? options.apiKeys.verify(match[1]) : null;
    }
    if (!headers.cookie) return null;
    const session = await options.auth().api.getSession({ headers: fromNodeHeaders(headers) });
    if (!session) return null;
    const user = session.user as typeof session.user & { role?: string };
    return {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role === 'admin' ? 'admin' : 'user',
      via: 'session',
    };
  };
}

export type ResolveCaller = ReturnType<typeof createCallerResolver>;
