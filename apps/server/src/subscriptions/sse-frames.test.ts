import { TRPCError, tracked } from '@trpc/server';
import { sseStreamProducer } from '@trpc/server/unstable-core-do-not-import';
import { describe, expect, it } from 'vitest';
import {
  connectedFrame,
  createDataFrameCache,
  pingFrame,
  returnFrame,
  serializedErrorFrame,
} from './sse-frames';

/** Reads tRPC's own producer output until `until` appears in it (or the stream ends). */
async function readProducer(stream: ReadableStream<Uint8Array>, until?: string): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (until && text.includes(until)) {
      reader.releaseLock();
      break;
    }
  }
  return text;
}

const clientOptions = { reconnectAfterInactivityMs: 15_000 };
const events = [
  { type: 'snapshot', status: 'generating', content: 'Ab "quoted"\nline é 🙂' },
  { type: 'text-delta', text: '\n\ndata: not a field\r\n' },
  { type: 'end', status: 'completed', messageId: 'm1' },
];

describe('SSE frames', () => {
  it('writes connected, tracked data and return exactly as tRPC 11 sseStreamProducer does', async () => {
    const producer = sseStreamProducer({
      client: clientOptions,
      data: (async function* () {
        for (const [index, event] of events.entries()) yield tracked(`${index}.7`, event);
      })(),
    });
    const expected = await readProducer(producer);
    const cache = createDataFrameCache();
    const ours = Buffer.concat([
      connectedFrame(clientOptions).bytes,
      ...events.map((event, index) => cache.frameOf(event, `${index}.7`).bytes),
      returnFrame.bytes,
    ]).toString();
    expect(ours).toBe(expected);
  });

  it('writes untracked data, a ping and a serialized error exactly as tRPC does', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const shape = { message: 'Plan not found', code: -32004, data: { code: 'NOT_FOUND' } };
    const producer = sseStreamProducer({
      client: {},
      ping: { enabled: true, intervalMs: 1 },
      formatError: () => shape,
      data: (async function* () {
        yield { plain: true };
        await released;
        throw new TRPCError({ code: 'NOT_FOUND' });
      })(),
    });
    const reader = producer.getReader();
    const decoder = new TextDecoder();
    let expected = '';
    // Read until tRPC has written one ping, then let the source fail.
    while (!expected.includes('event: ping')) {
      const { value } = await reader.read();
      expected += decoder.decode(value, { stream: true });
    }
    release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      expected += decoder.decode(value, { stream: true });
    }
    const ours = Buffer.concat([
      connectedFrame({}).bytes,
      createDataFrameCache().frameOf({ plain: true }, undefined).bytes,
      pingFrame.bytes,
      serializedErrorFrame(shape).bytes,
    ]).toString();
    // tRPC may ping more than once while it waits; one ping is the same bytes as many.
    expect(ours).toBe(
      expected
        .replaceAll('event: ping\ndata: \n\n\n', '')
        .replace(
          'data: {"plain":true}\n\n\n',
          'data: {"plain":true}\n\n\nevent: ping\ndata: \n\n\n',
        ),
    );
  });

  it('serialises an event object once for every subscriber it is written to', () => {
    const cache = createDataFrameCache();
    const event = { type: 'text-delta', text: 'shared' };
    const frames = Array.from({ length: 1000 }, () => cache.frameOf(event, '6.0'));
    expect(new Set(frames).size).toBe(1);
    expect(cache.stats()).toEqual({ formatted: 1, reused: 999 });
    // The same object under another id is a different frame.
    expect(cache.frameOf(event, '7.0').bytes.toString()).toContain('id: 7.0');
  });
});
