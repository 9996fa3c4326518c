import { connect } from 'node:net';
import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BulkUpstream, startBulkUpstream } from './support/bulk-upstream';
import { assembleText, subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack | undefined;
let upstream: BulkUpstream | undefined;
afterEach(async () => {
  await stack?.close();
  await upstream?.close();
});

interface RawSubscriber {
  /** Stops reading the socket (the kernel buffers fill, then the server's writes block). */
  pause(): void;
  /** Reads on until the server ends the response. */
  readToEnd(): Promise<Array<{ event: string; id: string | undefined; data: string }>>;
}

/** A raw HTTP/1.1 SSE reader on a plain TCP socket, so it can stop reading; `apiKey` is the caller's. */
function rawSubscriber(baseUrl: string, path: string, apiKey: string): RawSubscriber {
  const url = new URL(path, baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.write(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${apiKey}\r\n\r\n`,
  );
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    pause: () => socket.pause(),
    async readToEnd() {
      socket.resume();
      await closed;
      const raw = Buffer.concat(chunks);
      let rest = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
      // Undo chunked transfer encoding.
      const body: Buffer[] = [];
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        if (lineEnd === -1) break;
        const size = Number.parseInt(rest.subarray(0, lineEnd).toString(), 16);
        if (!size) break;
        body.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        rest = rest.subarray(lineEnd + 2 + size + 2);
      }
      const text = Buffer.concat(body).toString();
      const events: Array<{ event: string; id: string | undefined; data: string }> = [];
      const parser = createParser({
        onEvent: (event) =>
          events.push({ event: event.event ?? 'message', id: event.id, data: event.data }),
      });
      parser.feed(text);
      return events;
    },
  };
}

describe('a subscriber whose socket does not drain', () => {
  it('holds at most MAX_SUBSCRIBER_QUEUE_BYTES, is ended, and resumes by its last id to the exact text', async () => {
    const bound = 65_536;
    upstream = await startBulkUpstream({ pieces: 600, pieceLength: 16_384 });
    stack = await startTestStack({
      env: {
        OPENROUTER_BASE_URL: upstream.url,
        MAX_SUBSCRIBER_QUEUE_BYTES: String(bound),
        OPENROUTER_MODEL: 'bulk/model',
      },
      app: { flushMaxPendingChars: 1_048_576 },
    });
    const { planId } = await stack.client.plan.create.mutate({ goals: 'A very long plan' });
    const slow = rawSubscriber(
      stack.url,
      `/trpc/plan.events?input=${encodeURIComponent(JSON.stringify({ planId }))}`,
      stack.admin.apiKey,
    );
    slow.pause();
    // The subscriber is connected and has what there is (nothing yet) before the text flows.
    await vi.waitFor(() =>
      expect(stack?.app.subscriptions.stats()).toMatchObject({ open: 1, queuedBytes: 0 }),
    );
    upstream.release();

    // About 10 MB is sent while the socket is not read: the server ends this subscriber.
    await vi.waitFor(() => expect(stack?.app.subscriptions.stats().overflows).toBe(1), {
      timeout: 60_000,
      interval: 50,
    });
    expect(stack.app.subscriptions.stats().maxQueuedBytes).toBeLessThanOrEqual(bound);

    const received = await slow.readToEnd();
    expect(received.some((event) => event.event === 'return')).toBe(false);
    const messages = received.filter((event) => event.event === 'message');
    const lastId = messages.at(-1)?.id;
    expect(lastId).toBeDefined();
    const before = assembleText(
      messages.map((message) => ({ id: message.id, event: JSON.parse(message.data) })),
    );
    expect(before.length).toBeLessThan(upstream.text.length);

    const resumed = subscribePlan(stack.client, planId, lastId);
    const rest = await resumed.ended;
    expect(rest[0]?.event.type).not.toBe('snapshot');
    expect(assembleText(rest, before)).toBe(upstream.text);
    resumed.unsubscribe();
  }, 120_000);

  it('joins the text-deltas queued while its socket is not writable into fewer frames, exactly', async () => {
    upstream = await startBulkUpstream({ pieces: 16_000, pieceLength: 1000 });
    stack = await startTestStack({
      env: {
        OPENROUTER_BASE_URL: upstream.url,
        // Large enough that this subscriber is never ended: it only falls behind.
        MAX_SUBSCRIBER_QUEUE_BYTES: String(64 * 1024 * 1024),
        OPENROUTER_MODEL: 'bulk/model',
      },
      app: { flushMaxPendingChars: 1_048_576 },
    });
    const { planId } = await stack.client.plan.create.mutate({ goals: 'A very long plan' });
    const path = `/trpc/plan.events?input=${encodeURIComponent(JSON.stringify({ planId }))}`;
    const slow = rawSubscriber(stack.url, path, stack.admin.apiKey);
    slow.pause();
    // A subscriber that reads everything as it comes: one frame per event published.
    const reader = rawSubscriber(stack.url, path, stack.admin.apiKey);
    await vi.waitFor(() =>
      expect(stack?.app.subscriptions.stats()).toMatchObject({ open: 2, queuedBytes: 0 }),
    );
    upstream.release();
    const read = await reader.readToEnd();
    const slowEvents = await slow.readToEnd();

    const assembled = (events: typeof read) =>
      assembleText(
        events
          .filter((event) => event.event === 'message')
          .map((event) => ({ id: event.id, event: JSON.parse(event.data) })),
      );
    expect(stack.app.subscriptions.stats().overflows).toBe(0);
    expect(assembled(read)).toBe(upstream.text);
    expect(assembled(slowEvents)).toBe(upstream.text);
    expect(slowEvents.at(-1)?.event).toBe('return');
    // Same events, same last id; the slow subscriber's queued deltas were joined. (How many
    // frames each reader gets depends on the machine's load: under load the reader that reads
    // everything falls behind too and is joined as well, so the two counts are not compared.)
    expect(slowEvents.filter((event) => event.id).at(-1)?.id).toBe(
      read.filter((event) => event.id).at(-1)?.id,
    );
    expect(stack.app.subscriptions.stats().joinedDeltas).toBeGreaterThan(0);
  }, 120_000);
});
