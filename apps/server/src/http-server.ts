import { createReadStream, existsSync, statSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface HttpServerOptions {
  trpcHandler: RequestListener;
  /** Serves the subscription paths it owns (returns true), before tRPC sees them. */
  subscriptionHandler?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** /healthz answers 200 only once this is true. */
  isReady: () => boolean;
  webDistDir: string;
}

function sendFile(response: ServerResponse, path: string, immutable: boolean): void {
  response.writeHead(200, {
    'content-type': contentTypes[extname(path)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(path).pipe(response);
}

/** Serves the built web app: files as they are, any other GET path as the SPA's index.html. */
function serveWebApp(
  request: IncomingMessage,
  response: ServerResponse,
  root: string,
  pathname: string,
): void {
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('The web app is not built. Run `pnpm build`, or use the API at /trpc.\n');
    return;
  }
  const candidate = resolve(root, `.${normalize(decodeURIComponent(pathname))}`);
  if (candidate.startsWith(root + sep) && existsSync(candidate) && statSync(candidate).isFile()) {
    sendFile(response, candidate, pathname.startsWith('/assets/'));
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405).end();
    return;
  }
  sendFile(response, index, false);
}

/** One port for the API (/trpc), the health check (/healthz) and the web app. */
export function createHttpServer(options: HttpServerOptions): Server {
  const root = resolve(options.webDistDir);
  return createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/healthz') {
      const ready = options.isReady();
      response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: ready ? 'ok' : 'starting' }));
      return;
    }
    if (pathname === '/trpc' || pathname.startsWith('/trpc/')) {
      if (options.subscriptionHandler?.(request, response)) return;
      options.trpcHandler(request, response);
      return;
    }
    try {
      serveWebApp(request, response, root, pathname);
    } catch {
      response.writeHead(400).end();
    }
  });
}
