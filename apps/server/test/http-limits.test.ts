import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, trpcErrorOf } from './support/raw-http';
import {
  credentialHeaders,
  defaultCredentialsFor,
  startTestStack,
  type TestStack,
} from './support/test-stack';

const maxBodyBytes = 4096;
const maxBatchSize = 3;

interface RawExchange {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves once the server's answer (its head at least) arrived. */
  answered: Promise<string>;
  /** Resolves when the connection closed. */
  closed: Promise<void>;
}

/** A raw TCP exchange: the test decides what and how much the client writes. */
function openRaw(url: string): RawExchange {
  const { port, hostname } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  let answer: (value: string) => void = () => {};
  const answered = new Promise<string>((resolve) => {
    answer = resolve;
  });
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    if (text.includes('\r\n\r\n')) answer(text);
  });
  // The server closes while the client writes: EPIPE / ECONNRESET are expected.
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => text, answered, closed };
}

/** Writes `chunk` until told to stop, or `limit` bytes; resolves with the bytes written. */
function pump(
  socket: Socket,
  chunk: Buffer,
  limit: number,
  stop: Promise<unknown>,
  encode: (chunk: Buffer) => Buffer = (value) => value,
): Promise<number> {
  let stopped = false;
  let written = 0;
  return new Promise((resolve) => {
    const finish = () => {
      stopped = true;
      resolve(written);
    };
    stop.then(finish);
    socket.on('close', finish);
    const next = () => {
      while (!stopped && written < limit && !socket.destroyed) {
        written += chunk.length;
        if (!socket.write(encode(chunk))) {
          socket.once('drain', next);
          return;
        }
      }
      if (written >= limit) finish();
    };
    next();
  });
}

describe('request limits', () => {
  let stack: TestStack;
  let host: string;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { MAX_BODY_BYTES: String(maxBodyBytes), MAX_BATCH_SIZE: String(maxBatchSize) },
    });
    host = new URL(stack.url).host;
  });
  afterAll(() => stack.close());

  it('answers a 100 MB declared body with 413 before reading it', async () => {
    const declared = 100 * 1024 * 1024;
    const exchange = openRaw(stack.url);
    exchange.socket.write(
      `POST /trpc/plan.create HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
    );
    const written = await pump(
      exchange.socket,
      Buffer.alloc(64 * 1024, 'a'),
      declared,
      exchange.answered,
    );
    const answer = await exchange.answered;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    // The client was still writing when the answer came: the server did not wait for the body.
    expect(written).toBeLessThan(declared);
    await exchange.closed;
    expect(exchange.received()).toContain('MAX_BODY_BYTES');
  });

  it('answers a chunked body with 413 once it passes the limit', async () => {
    const exchange = openRaw(stack.url);
    exchange.socket.write(
      `POST /trpc/plan.create HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const opening = Buffer.from('{"goals":"');
    exchange.socket.write(`${opening.length.toString(16)}\r\n${opening}\r\n`);
    const limit = 100 * 1024 * 1024;
    const written = await pump(
      exchange.socket,
      Buffer.alloc(64 * 1024, 'a'),
      limit,
      exchange.answered,
      (chunk) =>
        Buffer.concat([
          Buffer.from(`${chunk.length.toString(16)}\r\n`),
          chunk,
          Buffer.from('\r\n'),
        ]),
    );
    if (written >= limit) exchange.socket.write('3\r\n"}\n\r\n0\r\n\r\n');
    const answer = await exchange.answered;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(written).toBeLessThan(limit);
    await exchange.closed;
  });

  it('refuses a POST batch of MAX_BATCH_SIZE + 1 calls with 400 and accepts MAX_BATCH_SIZE', async () => {
    const batch = (size: number) =>
      rawRequest(stack.url, `/trpc/${Array(size).fill('plan.list').join(',')}?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // POST runs mutations only: plan.list answers 405 per call, but only after the batch
        // passed the size check.
        body: JSON.stringify(Object.fromEntries(Array.from({ length: size }, (_, i) => [i, {}]))),
      });
    const refused = await batch(maxBatchSize + 1);
    expect(refused.status).toBe(400);
    expect(trpcErrorOf(refused).message).toContain('MAX_BATCH_SIZE');
    const accepted = await batch(maxBatchSize);
    expect(accepted.status).not.toBe(400);
    expect(Array.isArray(accepted.json)).toBe(true);
  });

  it('refuses a GET batch of MAX_BATCH_SIZE + 1 calls with 400 and accepts MAX_BATCH_SIZE', async () => {
    const batch = (size: number) => {
      const input = JSON.stringify(
        Object.fromEntries(Array.from({ length: size }, (_, i) => [i, {}])),
      );
      return rawRequest(
        stack.url,
        `/trpc/${Array(size).fill('plan.list').join(',')}?batch=1&input=${encodeURIComponent(input)}`,
      );
    };
    const refused = await batch(maxBatchSize + 1);
    expect(refused.status).toBe(400);
    expect(trpcErrorOf(refused).message).toContain(`at most ${maxBatchSize} calls`);
    const accepted = await batch(maxBatchSize);
    expect(accepted.status).toBe(200);
    expect(accepted.json).toHaveLength(maxBatchSize);
  });

  it('refuses invalid UTF-8 in a JSON body with a field error, and keeps valid text intact', async () => {
    const body = Buffer.concat([
      Buffer.from('{"goals":"learn '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' piano"}'),
    ]);
    const refused = await rawRequest(stack.url, '/trpc/plan.create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(refused.status).toBe(400);
    const error = trpcErrorOf(refused);
    expect(error.data.code).toBe('BAD_REQUEST');
    expect(error.data.fieldErrors).toEqual({ goals: ['Text must be valid UTF-8'] });
    expect(error.message).toContain('not valid UTF-8');

    const goals = 'learn the cello, 🎻 and ü';
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const plan = await stack.client.plan.get.query({ planId });
    expect(plan.goals).toBe(goals);
  });
});

describe('slow requests', () => {
  let stack: TestStack;
  let host: string;

  beforeAll(async () => {
    stack = await startTestStack({ env: { REQUEST_BODY_TIMEOUT_MS: '300' } });
    host = new URL(stack.url).host;
  });
  afterAll(() => stack.close());

  it('cuts off an incomplete body after REQUEST_BODY_TIMEOUT_MS, keeps /healthz and SSE streams going', async () => {
    // A session stream, open before the slow request starts: it must outlive the timeout.
    const session = await stack.client.chat.createSession.mutate({ title: 'Long-lived stream' });
    const input = encodeURIComponent(JSON.stringify({ sessionId: session.id }));
    let streamed = '';
    let streamClosed = false;
    const waiters: Array<() => void> = [];
    const stream = httpRequest(`${stack.url}/trpc/chat.events?input=${input}`, {
      headers: {
        accept: 'text/event-stream',
        ...credentialHeaders(defaultCredentialsFor(stack.url)),
      },
      agent: false,
    });
    const connected = new Promise<void>((resolve) => {
      stream.on('response', (response) => {
        response.on('data', (chunk: Buffer) => {
          streamed += chunk.toString('utf8');
          for (const waiter of waiters.splice(0)) waiter();
        });
        response.on('close', () => {
          streamClosed = true;
        });
        resolve();
      });
    });
    stream.end();
    await connected;

    const exchange = openRaw(stack.url);
    exchange.socket.write(
      `POST /trpc/plan.create HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"goals":`,
    );
    const health = await rawRequest(stack.url, '/healthz');
    expect(health.status).toBe(200);
    await exchange.closed;
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 408 /);

    // The stream has been open longer than the timeout, and still delivers.
    expect(streamClosed).toBe(false);
    const before = streamed.length;
    await stack.client.chat.send.mutate({ sessionId: session.id, content: 'still there?' });
    while (!streamed.slice(before).includes('"type":"end"')) {
      expect(streamClosed).toBe(false);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    stream.destroy();
  });
});
