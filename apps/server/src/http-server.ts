import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type HealthOptions, serveHealth } from './health';
import type { OriginPolicy } from './origin-policy';
import { admitTrpcRequest, type RequestLimits, sendTrpcRefusal } from './request-limits';
import { baseSecurityHeaders, webSecurityHeaders } from './security-headers';
import { createStaticFiles } from './static-files';

export interface HttpServerOptions extends HealthOptions {
  trpcHandler: RequestListener;
  /** Serves the subscription paths it owns (returns true), before tRPC sees them. */
  subscriptionHandler?: (request: IncomingMessage, response: ServerResponse) => boolean;
  webDistDir: string;
  limits: RequestLimits & {
    /** Time allowed to receive a request's headers and body (then 408). */
    requestBodyTimeoutMs: number;
  };
  /** Allowed hosts and origins; known once the server listens (its real port). */
  originPolicy: () => OriginPolicy | undefined;
}

const trpcBasePath = '/trpc/';

/** One port for the API (/trpc), the health checks (/healthz, /readyz) and the web app. */
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
      for (const [name, value] of Object.entries(baseSecurityHeaders)) {
        if (value !== undefined) response.setHeader(name, value);
      }
      const isTrpc = pathname === '/trpc' || pathname.startsWith(trpcBasePath);
      const refusal = options.originPolicy()?.check(request);
      if (refusal) {
        if (isTrpc) {
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
      serveWebApp(request, response, pathname).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
    },
  );
}
