import type { ServerResponse } from 'node:http';

export type HealthCheck = { ok: true } | { ok: false; reason: string };

export interface HealthOptions {
  /** /healthz and /readyz answer 200 only once this is true (and until shutdown starts). */
  isReady: () => boolean;
  /** /healthz (liveness): cheap, never waits on the database (is its file still there?). */
  checkLiveness?: () => HealthCheck;
  /**
   * /readyz (readiness): every probe answers (the database; Redis when configured). They run
   * together; the first failure, in list order, is the reason given.
   */
  readinessProbes?: readonly ReadinessProbe[];
}

export interface ReadinessProbe {
  /** Names the dependency in the reason (`database`, `redis`). */
  name: string;
  check: () => Promise<HealthCheck>;
}

/** Runs the probes together; a probe that throws fails with its error as the reason. */
export async function checkReadiness(probes: readonly ReadinessProbe[]): Promise<HealthCheck> {
  const checks = await Promise.all(
    probes.map((probe) =>
      probe.check().catch(
        (error: unknown): HealthCheck => ({
          ok: false,
          reason: `${probe.name}: ${error instanceof Error ? error.message : String(error)}`,
        }),
      ),
    ),
  );
  return checks.find((check) => !check.ok) ?? { ok: true };
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
  checkReadiness(options.readinessProbes ?? []).then(
    (check) => sendHealth(response, check),
    (error: unknown) => sendHealth(response, { ok: false, reason: String(error) }),
  );
}
