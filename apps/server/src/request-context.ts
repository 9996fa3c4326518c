import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface RequestContext {
  /** Names the request in logs and in the `x-request-id` response header. */
  requestId: string;
}

/**
 * The request being served, for log lines written far from the HTTP layer (a generation's
 * child logger takes its request id when it starts). Set once per request by the HTTP server.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** A proxy's request id is kept when it looks like one; anything else gets a new id. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && acceptableRequestId.test(given) ? given : randomUUID();
}

/** The id of the request whose work is running, if any. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
