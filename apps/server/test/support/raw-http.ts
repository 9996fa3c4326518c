import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { credentialHeaders, defaultCredentialsFor } from './test-stack';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as sent (not decompressed). */
  body: Buffer;
  text: string;
  /** The body parsed as JSON, when it is. */
  json: unknown;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Send no credentials (by default: the stack's first user's API key, unless headers carry some). */
  anonymous?: boolean;
}

/** One HTTP request with node:http: any Host, Origin or method, no decompression. */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  const given = Object.keys(options.headers ?? {}).map((name) => name.toLowerCase());
  const headers =
    options.anonymous || given.includes('authorization') || given.includes('cookie')
      ? options.headers
      : { ...credentialHeaders(defaultCredentialsFor(baseUrl)), ...options.headers };
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: options.method ?? 'GET', headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            text,
            json,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The tRPC error of a response (a batch answers with one per call). */
export function trpcErrorOf(response: RawResponse): {
  message: string;
  data: {
    code: string;
    httpStatus: number;
    fieldErrors?: Record<string, string[]> | null;
  } & Record<string, unknown>;
} {
  const json = response.json as unknown;
  const first = Array.isArray(json) ? json[0] : json;
  const error = (first as { error?: unknown } | undefined)?.error;
  if (!error) throw new Error(`Not a tRPC error (HTTP ${response.status}): ${response.text}`);
  return error as ReturnType<typeof trpcErrorOf>;
}
