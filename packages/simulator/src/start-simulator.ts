import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createCompletionHandler } from './create-completion-handler';
import { createErrorBody } from './create-error-body';
import { createGenerationStats, type GenerationStatsStore } from './create-generation-stats';
import {
  createRequestLog,
  type RequestPredicate,
  type SimulatorRequestRecord,
} from './create-request-log';
import { sendJson } from './send-json';
import { type SimulatorClock, systemClock } from './simulator-clock';
import { simulatorModels } from './simulator-models';

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Content pieces per second. Default 40 (realistic); tests pass e.g. 2000. */
  tokensPerSecond?: number;
  /** Default 400; tests pass e.g. 5. */
  firstTokenDelayMs?: number;
  /** Cadence of `: OPENROUTER PROCESSING` comments while waiting and streaming. Default 300. */
  keepAliveIntervalMs?: number;
  /** `Retry-After` on a simulated 429. Default 1; tests pass 0. */
  retryAfterSeconds?: number;
  /** Paces the streams and stamps the records. Default: the system clock; tests pass their own. */
  clock?: SimulatorClock;
  /**
   * How long after a generation ends (completed, failed or cancelled) `GET /generation?id=`
   * knows it; before that it answers 404, as OpenRouter does for a few seconds. Default 2000.
   */
  generationStatsDelayMs?: number;
}

export interface Simulator {
  /** Base URL ending in `/api/v1`, e.g. `http://127.0.0.1:41234/api/v1`. */
  url: string;
  /** Anthropic Messages base URL (`POST <it>/v1/messages`), e.g. `http://127.0.0.1:41234`. */
  anthropicUrl: string;
  /** OpenAI Responses base URL (`POST <it>/responses`), e.g. `http://127.0.0.1:41234/v1`. */
  openAIUrl: string;
  /** Every accepted completion request, in arrival order; records are updated live. */
  requests: readonly SimulatorRequestRecord[];
  /** The first request (past or future) matching `predicate`, re-checked on every change. Default timeout 5 s. */
  waitFor(predicate: RequestPredicate, timeoutMs?: number): Promise<SimulatorRequestRecord>;
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

const defaultOptions: Required<SimulatorOptions> = {
  host: '127.0.0.1',
  port: 0,
  tokensPerSecond: 40,
  firstTokenDelayMs: 400,
  keepAliveIntervalMs: 300,
  retryAfterSeconds: 1,
  clock: systemClock,
  generationStatsDelayMs: 2000,
};
const defaultWaitTimeoutMs = 5000;
const completionPaths = new Set(['/api/v1/chat/completions', '/v1/chat/completions']);
const messagesPaths = new Set(['/v1/messages']);
const responsesPaths = new Set(['/v1/responses']);
const modelPaths = new Set(['/api/v1/models', '/v1/models']);
const generationPaths = new Set(['/api/v1/generation', '/v1/generation']);

function resolveOptions(options: SimulatorOptions): Required<SimulatorOptions> {
  const resolved: Required<SimulatorOptions> = {
    host: options.host ?? defaultOptions.host,
    port: options.port ?? defaultOptions.port,
    tokensPerSecond: options.tokensPerSecond ?? defaultOptions.tokensPerSecond,
    firstTokenDelayMs: options.firstTokenDelayMs ?? defaultOptions.firstTokenDelayMs,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? defaultOptions.keepAliveIntervalMs,
    retryAfterSeconds: options.retryAfterSeconds ?? defaultOptions.retryAfterSeconds,
    clock: options.clock ?? defaultOptions.clock,
    generationStatsDelayMs: options.generationStatsDelayMs ?? defaultOptions.generationStatsDelayMs,
  };
  const checks: Array<[boolean, string]> = [
    [resolved.tokensPerSecond > 0, 'tokensPerSecond must be greater than 0'],
    [resolved.firstTokenDelayMs >= 0, 'firstTokenDelayMs must be 0 or more'],
    [
      resolved.keepAliveIntervalMs > 0,
      'keepAliveIntervalMs must be greater than 0 (Infinity sends only the first)',
    ],
    [resolved.retryAfterSeconds >= 0, 'retryAfterSeconds must be 0 or more'],
    [resolved.generationStatsDelayMs >= 0, 'generationStatsDelayMs must be 0 or more'],
  ];
  const failed = checks.find(([valid]) => !valid);
  if (failed) throw new RangeError(`startSimulator: ${failed[1]}`);
  return resolved;
}

function formatOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** OpenRouter's answer about one generation, or its 404 while the stats are not ready. */
function sendGenerationStats(
  request: IncomingMessage,
  response: ServerResponse,
  stats: GenerationStatsStore,
): void {
  const id = new URL(request.url ?? '/', 'http://simulator').searchParams.get('id');
  const found = id ? stats.find(id) : undefined;
  if (!id) sendJson(response, 400, createErrorBody(400, 'Missing the "id" query parameter'));
  else if (!found) sendJson(response, 404, createErrorBody(404, `Generation ${id} not found`));
  else sendJson(response, 200, { data: found });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** Starts an OpenRouter-compatible upstream over real HTTP (node:http only). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const settings = resolveOptions(options);
  const log = createRequestLog();
  const stats = createGenerationStats(settings.clock, settings.generationStatsDelayMs);
  const handlerOptions = {
    log,
    timing: settings,
    retryAfterSeconds: settings.retryAfterSeconds,
    stats,
  };
  const handleCompletion = createCompletionHandler(handlerOptions);
  const handleMessages = createCompletionHandler({
    ...handlerOptions,
    format: 'anthropic-messages',
  });
  const handleResponses = createCompletionHandler({
    ...handlerOptions,
    format: 'openai-responses',
  });

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://simulator').pathname;
    const handler = completionPaths.has(path)
      ? handleCompletion
      : messagesPaths.has(path)
        ? handleMessages
        : responsesPaths.has(path)
          ? handleResponses
          : undefined;
    const method = handler
      ? 'POST'
      : modelPaths.has(path) || generationPaths.has(path)
        ? 'GET'
        : undefined;
    if (method === undefined)
      return sendJson(response, 404, createErrorBody(404, `No route for ${path}`));
    if (request.method !== method) {
      return sendJson(response, 405, createErrorBody(405, `Use ${method} for ${path}`), {
        allow: method,
      });
    }
    if (handler) return handler(request, response);
    if (generationPaths.has(path)) return sendGenerationStats(request, response, stats);
    return sendJson(response, 200, simulatorModels);
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      console.error('[simulator] request failed', error);
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, createErrorBody(500));
    });
  });
  const port = await listen(server, settings.port, settings.host);
  let closing: Promise<void> | undefined;

  const origin = formatOrigin(settings.host, port);
  return {
    url: `${origin}/api/v1`,
    anthropicUrl: origin,
    openAIUrl: `${origin}/v1`,
    requests: log.records,
    waitFor: (predicate, timeoutMs = defaultWaitTimeoutMs) => log.waitFor(predicate, timeoutMs),
    close() {
      closing ??= closeServer(server).then(() => log.close());
      return closing;
    },
  };
}
