import type { IncomingMessage, ServerResponse } from 'node:http';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

export interface RequestLimits {
  /** MAX_BODY_BYTES: larger request bodies are refused (413) without being read. */
  maxBodyBytes: number;
  /** MAX_BATCH_SIZE: batches of more calls are refused (400), over POST and GET. */
  maxBatchSize: number;
}

export interface TrpcRefusal {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  message: string;
  fieldErrors?: Record<string, string[]>;
  /** Stop reading the request: the connection closes after the answer. */
  closeConnection?: boolean;
}

/** Answers in tRPC's error shape (as the error formatter would), so clients read the message. */
export function sendTrpcRefusal(response: ServerResponse, refusal: TrpcRefusal): void {
  const body = JSON.stringify({
    error: {
      message: refusal.message,
      code: TRPC_ERROR_CODES_BY_KEY[refusal.code],
      data: {
        code: refusal.code,
        httpStatus: refusal.httpStatus,
        fieldErrors: refusal.fieldErrors ?? null,
      },
    },
  });
  response.writeHead(refusal.httpStatus, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(refusal.closeConnection ? { connection: 'close' } : {}),
  });
  response.end(body);
}

/** How many procedure calls a tRPC request holds (`/trpc/a,b,c?batch=1`). */
export function batchSizeOf(url: URL, basePath: string): number {
  if (url.searchParams.get('batch') !== '1') return 1;
  return url.pathname.slice(basePath.length).split(',').length;
}

function tooLarge(limits: RequestLimits): TrpcRefusal {
  return {
    code: 'PAYLOAD_TOO_LARGE',
    httpStatus: 413,
    message: `The request body is larger than ${limits.maxBodyBytes} bytes (MAX_BODY_BYTES).`,
    closeConnection: true,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Dotted paths of the strings that hold U+FFFD after a lenient decode: where bad bytes were. */
function pathsWithReplacementCharacters(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return value.includes('\uFFFD') ? [path.join('.')] : [];
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    pathsWithReplacementCharacters(child, [...path, key]),
  );
}

function invalidUtf8(bytes: Buffer, isBatch: boolean): TrpcRefusal {
  const message = 'Text must be valid UTF-8';
  let paths: string[] = [];
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8').decode(bytes));
    paths = pathsWithReplacementCharacters(parsed).map((path) =>
      // A batch's body is keyed by call index: the field is what follows it.
      isBatch ? path.split('.').slice(1).join('.') : path,
    );
  } catch {
    // Not JSON once decoded either: report it for the whole input.
  }
  const fields = paths.map((path) => path || '_');
  const fieldErrors = Object.fromEntries(
    (fields.length > 0 ? fields : ['_']).map((field) => [field, [message]]),
  );
  const where = fields.filter((field) => field !== '_');
  return {
    code: 'BAD_REQUEST',
    httpStatus: 400,
    message: `Invalid input: the request body is not valid UTF-8${where.length > 0 ? ` (${where.join(', ')})` : ''}`,
    fieldErrors,
  };
}

type BodyResult = { text: string } | { refusal: TrpcRefusal } | { gone: true };

/**
 * Reads a request body up to the limit: a declared Content-Length over it is refused before
 * a byte is read, a chunked body as soon as it passes it. Decodes strictly as UTF-8.
 */
function readBody(
  request: IncomingMessage,
  limits: RequestLimits,
  isBatch: boolean,
): Promise<BodyResult> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > limits.maxBodyBytes) return Promise.resolve({ refusal: tooLarge(limits) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        chunks.length = 0;
        request.pause();
        finish({ refusal: tooLarge(limits) });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const bytes = Buffer.concat(chunks, size);
      try {
        finish({ text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) });
      } catch {
        finish({ refusal: invalidUtf8(bytes, isBatch) });
      }
    };
    // Aborted by the client, or cut off by the server's request timeout (which answers 408).
    const onGone = () => finish({ gone: true });
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/**
 * Checks a tRPC request against the limits before tRPC sees it, and hands tRPC the body it
 * read (its node adapter takes a string `req.body` as is). Resolves true when the request
 * may go on; otherwise it has been answered.
 */
export async function admitTrpcRequest(
  request: IncomingMessage & { body?: unknown },
  response: ServerResponse,
  url: URL,
  options: RequestLimits & { basePath: string },
): Promise<boolean> {
  const calls = batchSizeOf(url, options.basePath);
  if (calls > options.maxBatchSize) {
    sendTrpcRefusal(response, {
      code: 'BAD_REQUEST',
      httpStatus: 400,
      message: `A batch may hold at most ${options.maxBatchSize} calls (MAX_BATCH_SIZE); this one holds ${calls}.`,
      closeConnection: request.method === 'POST',
    });
    return false;
  }
  if (request.method !== 'POST') return true;
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    // Also what stops a cross-site HTML form: it cannot send application/json.
    sendTrpcRefusal(response, {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      httpStatus: 415,
      message: `POST requests must send JSON (Content-Type: application/json), not "${contentType}".`,
      closeConnection: true,
    });
    return false;
  }
  const body = await readBody(request, options, url.searchParams.get('batch') === '1');
  if ('gone' in body) return false;
  if ('refusal' in body) {
    sendTrpcRefusal(response, body.refusal);
    return false;
  }
  request.body = body.text;
  return true;
}
