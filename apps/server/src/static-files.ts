import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import Negotiator from 'negotiator';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Precompressed siblings written at build time (`app.js.br`, `app.js.gz`), best first. */
const encodings = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
const encodingPreference = [...encodings.map(({ name }) => name), 'identity'];

export interface StaticFilesOptions {
  /** The built web app (WEB_DIST_DIR). */
  root: string;
  /** Headers every answer carries (security headers), by request path. */
  headersFor(pathname: string): OutgoingHttpHeaders;
}

async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function preferredEncodings(request: IncomingMessage): string[] {
  const negotiator = new Negotiator(request) as Negotiator & {
    encodings(available: readonly string[], options: { preferred: readonly string[] }): string[];
  };
  return negotiator.encodings(encodingPreference, { preferred: encodingPreference });
}

function entityTag(stats: Stats, encoding: string): string {
  return `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}-${encoding}"`;
}

function matchesEntityTag(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((value) => value.trim().replace(/^W\//, ''))
    .some((value) => value === '*' || value === tag);
}

/**
 * Serves the built web app: files as they are (brotli or gzip when a precompressed copy
 * exists and the client accepts it), hashed /assets/ as immutable, any other GET path as
 * the SPA's index.html (never cached without revalidation). HEAD and If-None-Match work.
 */
export function createStaticFiles(options: StaticFilesOptions) {
  const root = resolve(options.root);
  const index = join(root, 'index.html');

  async function sendFile(
    request: IncomingMessage,
    response: ServerResponse,
    pathname: string,
    path: string,
    stats: Stats,
  ): Promise<void> {
    const immutable = pathname.startsWith('/assets/') && path !== index;
    let served = { path, stats, encoding: 'identity' };
    for (const name of preferredEncodings(request)) {
      const encoding = encodings.find((candidate) => candidate.name === name);
      if (!encoding) break;
      const compressed = await fileStats(path + encoding.suffix);
      if (compressed) {
        served = { path: path + encoding.suffix, stats: compressed, encoding: name };
        break;
      }
    }
    const tag = entityTag(served.stats, served.encoding);
    const headers: OutgoingHttpHeaders = {
      ...options.headersFor(pathname),
      'content-type': contentTypes[extname(path)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'Accept-Encoding',
      etag: tag,
      'last-modified': served.stats.mtime.toUTCString(),
    };
    if (matchesEntityTag(request.headers['if-none-match'], tag)) {
      response.writeHead(304, headers).end();
      return;
    }
    if (served.encoding !== 'identity') headers['content-encoding'] = served.encoding;
    headers['content-length'] = served.stats.size;
    response.writeHead(200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const stream = createReadStream(served.path);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  return async function serve(
    request: IncomingMessage,
    response: ServerResponse,
    pathname: string,
  ): Promise<void> {
    const indexStats = await fileStats(index);
    if (!indexStats) {
      response.writeHead(404, {
        ...options.headersFor(pathname),
        'content-type': 'text/plain; charset=utf-8',
      });
      response.end('The web app is not built. Run `pnpm build`, or use the API at /trpc.\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // The body is not read: the connection closes after the answer.
      response.writeHead(405, { allow: 'GET, HEAD', connection: 'close' }).end();
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const candidate = resolve(root, `.${normalize(decoded)}`);
    const stats = candidate.startsWith(root + sep) ? await fileStats(candidate) : undefined;
    if (stats) {
      await sendFile(request, response, pathname, candidate, stats);
      return;
    }
    if (pathname.startsWith('/assets/')) {
      // A missing hashed file (an old build's chunk) is a 404, not the page.
      response.writeHead(404, {
        ...options.headersFor(pathname),
        'content-type': 'text/plain; charset=utf-8',
      });
      response.end('Not found\n');
      return;
    }
    await sendFile(request, response, pathname, index, indexStats);
  };
}
