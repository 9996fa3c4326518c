import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { authBasePath, clientIpHeader } from './auth/create-auth';
import { type HealthOptions, serveHealth } from './health';
import type { OriginPolicy } from './origin-policy';
import { requestContext, requestIdOf } from './request-context';
import { admitTrpcRequest, type RequestLimits, sendTrpcRefusal } from './request-limits';
import { baseSecurityHeaders, webSecurityHeaders } from './security-headers';
import { createStaticFiles } from './static-files';

export interface HttpServerOptions extends HealthOptions {
  trpcHandler: RequestListener;
  /** Serves the subscription paths it owns (returns true), before tRPC sees them. */
  subscriptionHandler?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Better Auth's routes under /api/auth (sign-up, sign-in, sign-out, get-session). */
  authHandler: RequestListener;
  /** TRUST_PROXY: the client address is the last X-Forwarded-For entry, not the socket's. */
  trustProxy: boolean;
  webDistDir: string;
  limits: RequestLimits & {
    /** Time allowed to receive a request's headers and body (then 408). */
    requestBodyTimeoutMs: number;
  };
  /** Allowed hosts and origins; known once the server listens (its real port). */
  originPolicy: () => OriginPolicy | undefined;
  /** GET /metrics (Prometheus); answers any Host, like the health checks. */
  metricsHandler?: (request: IncomingMessage, response: ServerResponse) => void;
}

const trpcBasePath = '/trpc/';

/**
 * The address rate limits key on: the socket's, or with TRUST_PROXY the address the proxy
 * in front of us saw (the last X-Forwarded-For entry: earlier ones are the client's claims).
 */
export function clientAddressOf(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    const last = forwarded.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return request.socket.remoteAddress ?? 'unknown';
}

/** One port for the API (/trpc), the health checks (/healthz, /readyz), /metrics and the web app. */
export function createHttpServer(options: HttpServerOptions): Server {
  const serveWebApp = createStaticFiles({
    root: options.webDistDir,
    headersFor: webSecurityHeaders,
  });
  const timeoutMs = options.limits.requestBodyTimeoutMs;
  return createServer(
    {
      // A request still arriving after this long is answered 408 and its connection closed.
      // Only the request counts: a long-lived SSE response is not cut.
      requestTimeout: timeoutMs,
      headersTimeout: Math.min(timeoutMs, 60_000),
      connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(timeoutMs / 4))),
    },
    (request, response) => {
      // Every request gets an id: in the response header and in the logs of what it starts.
      const requestId = requestIdOf(request);
      response.setHeader('x-request-id', requestId);
      requestContext.run({ requestId }, () => route(request, response));
    },
  );

  function route(request: IncomingMessage, response: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      response.writeHead(400, baseSecurityHeaders).end();
      return;
    }
    const pathname = url.pathname;
    // Health checks answer whatever the Host: orchestrators probe the pod's address.
    if (pathname === '/healthz' || pathname === '/readyz') {
      serveHealth(options, pathname, response);
      return;
    }
    // Scrapers, like orchestrators, reach the pod's address; METRICS_TOKEN guards it.
    if (pathname === '/metrics' && options.metricsHandler) {
      options.metricsHandler(request, response);
      return;
    }
    for (const [name, value] of Object.entries(baseSecurityHeaders)) {
      if (value !== undefined) response.setHeader(name, value);
    }
    const isTrpc = pathname === '/trpc' || pathname.startsWith(trpcBasePath);
    const isAuth = pathname === authBasePath || pathname.startsWith(`${authBasePath}/`);
    const refusal = options.originPolicy()?.check(request);
    if (refusal) {
      if (isTrpc || isAuth) {
        sendTrpcRefusal(response, {
          code: 'FORBIDDEN',
          httpStatus: refusal.status,
          message: refusal.message,
          closeConnection: true,
        });
      } else {
        response.writeHead(refusal.status, {
          'content-type': 'text/plain; charset=utf-8',
          connection: 'close',
        });
        response.end(`${refusal.message}\n`);
      }
      return;
    }
    if (isTrpc) {
      if (options.subscriptionHandler?.(request, response)) return;
      admitTrpcRequest(request, response, url, { ...options.limits, basePath: trpcBasePath })
        .then((admitted) => {
          if (admitted) options.trpcHandler(request, response);
        })
        .catch(() => response.destroy());
      return;
    }
    if (isAuth) {
      // Whatever a client put in this header is replaced: Better Auth's per-IP limit reads it.
      request.headers[clientIpHeader] = clientAddressOf(request, options.trustProxy);
      const hasBody =
        request.headers['transfer-encoding'] !== undefined ||
        Number(request.headers['content-length'] ?? 0) > 0;
      const admitted = hasBody
        ? admitTrpcRequest(request, response, url, { ...options.limits, basePath: authBasePath })
        : Promise.resolve(true);
      admitted
        .then((ok) => {
          if (ok) options.authHandler(request, response);
        })
        .catch(() => response.destroy());
      return;
    }
    serveWebApp(request, response, pathname).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  }
}
