/**
 * Worker: lean SSE readers (plain http.get, one incremental parser each, no EventSource),
 * so thousands of subscribers fit beside the server on a small machine.
 */
import { type ClientRequest, get } from 'node:http';
import { createParser } from 'eventsource-parser';
import { runWorker, serveWorker } from '../relay/serve-worker';

interface Reader {
  text: string;
  connected: boolean;
  ended: boolean;
  failed: string | undefined;
  request: ClientRequest;
}

export interface OpenPayload {
  url: string;
  count: number;
  /** Sent on every request (the bench account's `Authorization: Bearer`). */
  headers: Record<string, string>;
}

/** What `open` answers: `refused` counts HTTP error statuses, `firstRefusal` names one. */
export interface OpenResult {
  connected: number;
  failed: number;
  refused: number;
  firstRefusal?: { status: number; body: string };
}

/** The HTTP status a tRPC error event names (`data.httpStatus`), if any. */
function errorStatus(data: string): number | undefined {
  try {
    const status = (JSON.parse(data) as { data?: { httpStatus?: unknown } }).data?.httpStatus;
    return typeof status === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}

runWorker(async () => {
  const readers: Reader[] = [];
  let connected = 0;
  let ended = 0;
  let failed = 0;
  let refused = 0;
  let firstRefusal: OpenResult['firstRefusal'];

  function fail(reader: Reader, reason: string): void {
    if (reader.failed) return;
    reader.failed = reason;
    failed += 1;
    // A refused stream may have said `connected` first: it no longer counts as connected.
    if (reader.connected) connected -= 1;
  }

  function refuse(reader: Reader, status: number, body: string): void {
    if (reader.failed) return;
    refused += 1;
    firstRefusal ??= { status, body: body.slice(0, 1000) };
    fail(reader, `HTTP ${status} ${body.slice(0, 300)}`);
    reader.request.destroy();
  }

  function open(url: string, headers: Record<string, string>): Reader {
    const reader = { text: '', connected: false, ended: false, failed: undefined } as Reader;
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'connected' && !reader.failed) {
          reader.connected = true;
          connected += 1;
        } else if (event.event === 'return') {
          if (!reader.ended) ended += 1;
          reader.ended = true;
          reader.request.destroy();
        } else if (event.event === undefined) {
          const data = JSON.parse(event.data) as { type: string; text?: string; content?: string };
          if (data.type === 'snapshot') reader.text = data.content ?? '';
          else if (data.type === 'text-delta') reader.text += data.text ?? '';
        } else if (event.event === 'serialized-error') {
          // The server may refuse inside a 200 stream (tRPC SSE): the error carries the status.
          const status = errorStatus(event.data);
          if (status !== undefined && status >= 400 && status < 500)
            refuse(reader, status, event.data);
          else fail(reader, event.data);
        }
      },
    });
    reader.request = get(
      url,
      { agent: false, headers: { ...headers, accept: 'text/event-stream' } },
      (response) => {
        response.setEncoding('utf8');
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          // A refusal (401, 429, …): keep the server's answer for the bench's message.
          let body = '';
          response.on('data', (chunk: string) => {
            if (body.length < 1000) body += chunk;
          });
          response.on('end', () => refuse(reader, status, body));
          response.on('error', () => fail(reader, `HTTP ${status}`));
          return;
        }
        response.on('data', (chunk: string) => parser.feed(chunk));
        response.on('error', () => {});
      },
    );
    reader.request.on('error', (error) => fail(reader, error.message));
    return reader;
  }

  serveWorker(
    { pid: process.pid },
    {
      /** Opens `count` subscribers, a few at a time, and resolves when all are connected. */
      async open(payload): Promise<OpenResult> {
        const { url, count, headers } = payload as OpenPayload;
        const target = readers.length + count;
        // At most 128 connects in flight, so the server's accept backlog never overflows.
        const settled = () => connected + failed;
        for (let index = 0; index < count; index++) {
          while (readers.length - settled() >= 128) {
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          readers.push(open(url, headers));
        }
        while (connected + failed < target) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return { connected, failed, refused, firstRefusal };
      },
      progress: (): OpenResult & { ended: number } => ({
        connected,
        ended,
        failed,
        refused,
        firstRefusal,
      }),
      verify(payload) {
        const expected = payload as string;
        let exact = 0;
        let wrong = 0;
        let unfinished = 0;
        const failures: string[] = [];
        for (const reader of readers) {
          if (reader.failed) failures.push(reader.failed);
          else if (!reader.ended) unfinished += 1;
          else if (reader.text === expected) exact += 1;
          else wrong += 1;
        }
        return { exact, wrong, unfinished, failed: failures.length, firstFailure: failures[0] };
      },
      closeAll() {
        for (const reader of readers) reader.request.destroy();
        readers.length = 0;
        connected = 0;
        ended = 0;
        failed = 0;
        refused = 0;
        firstRefusal = undefined;
        return null;
      },
      close() {
        for (const reader of readers) reader.request.destroy();
        setImmediate(() => process.exit(0));
        return null;
      },
    },
  );
});
