import type { ServerResponse } from 'node:http';

export type HealthCheck = { ok: true } | { ok: false; reason: string };

export interface HealthOptions {
  /** /healthz and /readyz answer 200 only once this is true (and until shutdown starts). */
  isReady: () => boolean;
  /** /healthz (liveness): cheap, never waits on the database (is its file still there?). */
  checkLiveness?: () => HealthCheck;
  /** /readyz (readiness): the database answers. */
  checkReadiness?: () => Promise<HealthCheck>;
}

function sendHealth(response: ServerResponse, check: HealthCheck | 'starting'): void {
  const body =
    check === 'starting'
      ? { status: 'starting' }
      : check.ok
        ? { status: 'ok' }
        : { status: 'unavailable', reason: check.reason };
  response.writeHead(body.status === 'ok' ? 200 : 503, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

/**
 * /healthz (liveness: restart me when it fails) and /readyz (readiness: send me traffic only
 * while it answers 200; API.md "Metrics"). Both fail with a reason when the database file
 * was deleted or replaced under the running server.
 */
export function serveHealth(
  options: HealthOptions,
  pathname: '/healthz' | '/readyz',
  response: ServerResponse,
): void {
  if (!options.isReady()) {
    sendHealth(response, 'starting');
    return;
  }
  if (pathname === '/healthz') {
    sendHealth(response, options.checkLiveness?.() ?? { ok: true });
    return;
  }
  const readiness = options.checkReadiness?.() ?? Promise.resolve<HealthCheck>({ ok: true });
  readiness.then(
    (check) => sendHealth(response, check),
    (error: unknown) => sendHealth(response, { ok: false, reason: String(error) }),
  );
}
