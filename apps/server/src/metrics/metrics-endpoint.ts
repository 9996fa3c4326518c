import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './metrics';

export interface MetricsEndpointOptions {
  metrics: Metrics;
  /** METRICS_TOKEN: when set, scrapes must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * GET /metrics in the Prometheus text format. With a token, a request without it (or with
 * another) gets 401; the comparison takes the same time whatever the guess.
 */
export function createMetricsEndpoint(
  options: MetricsEndpointOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('Method not allowed\n');
      return;
    }
    if (expected) {
      const header = request.headers.authorization ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      const given = digest(match?.[1]?.trim() ?? '');
      if (!match || !timingSafeEqual(given, expected)) {
        options.metrics.authenticationFailed('metrics-token');
        response.writeHead(401, {
          'www-authenticate': 'Bearer realm="metrics"',
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
        });
        response.end('Send Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
    }
    options.metrics.render().then(
      (text) => {
        response.writeHead(200, {
          'content-type': options.metrics.contentType,
          'cache-control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      () => {
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      },
    );
  };
}
