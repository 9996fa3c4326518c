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
}

runWorker(async () => {
  const readers: Reader[] = [];
  let connected = 0;
  let ended = 0;
  let failed = 0;

  function fail(reader: Reader, reason: string): void {
    if (reader.failed) return;
    reader.failed = reason;
    failed += 1;
  }

  function open(url: string): Reader {
    const reader = { text: '', connected: false, ended: false, failed: undefined } as Reader;
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'connected') {
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
          fail(reader, event.data);
        }
      },
    });
    reader.request = get(
      url,
      { agent: false, headers: { accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) fail(reader, `HTTP ${response.statusCode}`);
        response.setEncoding('utf8');
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
      async open(payload) {
        const { url, count } = payload as OpenPayload;
        const target = readers.length + count;
        // At most 128 connects in flight, so the server's accept backlog never overflows.
        const settled = () => connected + failed;
        for (let index = 0; index < count; index++) {
          while (readers.length - settled() >= 128) {
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          readers.push(open(url));
        }
        while (connected + failed < target) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return { connected };
      },
      progress: () => ({ connected, ended, failed }),
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
