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
          reader.failed = event.data;
        }
      },
    });
    reader.request = get(
      url,
      { agent: false, headers: { accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) reader.failed = `HTTP ${response.statusCode}`;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => parser.feed(chunk));
        response.on('error', () => {});
      },
    );
    reader.request.on('error', (error) => {
      reader.failed ??= error.message;
    });
    return reader;
  }

  serveWorker(
    { pid: process.pid },
    {
      /** Opens `count` subscribers, a few at a time, and resolves when all are connected. */
      async open(payload) {
        const { url, count } = payload as OpenPayload;
        const target = readers.length + count;
        for (let index = 0; index < count; index++) {
          readers.push(open(url));
          if (index % 200 === 199) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        while (connected + readers.filter((reader) => reader.failed).length < target) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return { connected };
      },
      progress: () => ({ connected, ended, failed: readers.filter((r) => r.failed).length }),
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
