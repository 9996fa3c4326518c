import { afterEach, describe, expect, it } from 'vitest';
import { createEventStreamReader, readEventStream } from './read-event-stream';
import {
  closeTestSimulators,
  completionBody,
  planFormat,
  postCompletion,
  startTestSimulator,
} from './start-test-simulator';
import { createVirtualClock } from './virtual-clock';

const goals = 'I want to run a 10k and learn Spanish this month';

afterEach(closeTestSimulators);

async function errorBody(response: Response) {
  return (await response.json()) as { error: { code: number; message: string } };
}

/** True when the bytes end part-way through a multibyte UTF-8 character. */
function endsInsideCharacter(bytes: Uint8Array): boolean {
  for (let back = 1; back <= Math.min(4, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return back < length;
  }
  return false;
}

describe('HTTP status faults', () => {
  it('answers 429 with Retry-After for the first N identical requests, then streams', async () => {
    const simulator = await startTestSimulator({ retryAfterSeconds: 0 });
    const body = completionBody('sluice/simulator@status-429x2', goals, planFormat);

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await postCompletion(simulator, body);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('0');
      expect((await errorBody(response)).error.code).toBe(429);
    }
    const capture = await readEventStream(await postCompletion(simulator, body));

    expect(capture.sawDone).toBe(true);
    expect(simulator.requests.map((record) => [record.status, record.fault])).toEqual([
      ['fault', 'status-429x2'],
      ['fault', 'status-429x2'],
      ['completed', undefined],
    ]);
    expect(simulator.requests[2]?.text).toBe(capture.content);
  });

  it('counts the N requests separately for different messages', async () => {
    const simulator = await startTestSimulator();
    const first = await postCompletion(
      simulator,
      completionBody('sluice/simulator@status-429x1', 'Learn to juggle'),
    );
    const other = await postCompletion(
      simulator,
      completionBody('sluice/simulator@status-429x1', 'Learn to knit'),
    );

    expect([first.status, other.status]).toEqual([429, 429]);
  });

  it('sends Retry-After as configured', async () => {
    const simulator = await startTestSimulator({ retryAfterSeconds: 3 });
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator@status-429x1', 'Hi'),
    );

    expect(response.headers.get('retry-after')).toBe('3');
  });

  it.each([500, 502, 503])('answers %i every time with a JSON error body', async (status) => {
    const simulator = await startTestSimulator();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await postCompletion(
        simulator,
        completionBody(`sluice/simulator@status-${status}`, goals),
      );
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect((await errorBody(response)).error).toMatchObject({
        code: status,
        message: expect.any(String),
      });
    }
    expect(simulator.requests.every((record) => record.status === 'fault')).toBe(true);
  });

  it('answers 5xx only the first N times with status-<CODE>x<N>', async () => {
    const simulator = await startTestSimulator();
    const body = completionBody('sluice/simulator@status-502x1', goals);

    expect((await postCompletion(simulator, body)).status).toBe(502);
    expect((await readEventStream(await postCompletion(simulator, body))).sawDone).toBe(true);
  });
});

describe('mid-stream faults', () => {
  it('sends an error chunk with HTTP 200 after K pieces and no [DONE]', async () => {
    const simulator = await startTestSimulator();
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator@error-after-7', goals),
    );
    const capture = await readEventStream(response);
    const last = capture.chunks.at(-1);

    expect(response.status).toBe(200);
    expect(capture.contentPieces).toBe(7);
    expect(last?.error).toEqual({ code: 'server_error', message: expect.any(String) });
    expect(last?.choices?.[0]?.finish_reason).toBe('error');
    expect(capture.sawDone).toBe(false);
    expect(capture.error).toBeUndefined();
    expect(simulator.requests[0]).toMatchObject({
      status: 'fault',
      fault: 'error-after-7',
      text: capture.content,
    });
  });

  it('sends keep-alives then an error-only event without choices and no [DONE]', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator@error-only', goals)),
    );

    expect(capture.items[0]?.type).toBe('comment');
    expect(capture.chunks).toHaveLength(1);
    expect(capture.chunks[0]?.choices).toBeUndefined();
    expect(capture.chunks[0]?.error?.code).toBe(502);
    expect(capture.sawDone).toBe(false);
    expect(simulator.requests[0]).toMatchObject({ status: 'fault', text: '' });
  });

  it('destroys the socket after K pieces', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator@drop-after-12', goals)),
    );

    expect(capture.error).toBeDefined();
    expect(capture.contentPieces).toBe(12);
    expect(capture.chunks.some((chunk) => chunk.choices?.[0]?.finish_reason)).toBe(false);
    expect(capture.sawDone).toBe(false);
    expect(simulator.requests[0]).toMatchObject({
      status: 'fault',
      clientAborted: false,
      text: capture.content,
    });
  });

  it('goes silent after K pieces, keeps the socket open, and records the client leaving', async () => {
    const simulator = await startTestSimulator({ keepAliveIntervalMs: 10 });
    const controller = new AbortController();
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator@stall-after-5', goals),
      {
        signal: controller.signal,
      },
    );
    const reader = createEventStreamReader(response);
    await reader.readUntil((capture) => capture.contentPieces === 5);
    const itemsAtStall = reader.capture.items.length;

    expect(await reader.readWithin(100)).toBe('timeout');
    expect(reader.capture.items).toHaveLength(itemsAtStall);
    const record = simulator.requests[0];
    expect(record).toMatchObject({
      status: 'streaming',
      fault: 'stall-after-5',
      text: reader.capture.content,
    });

    controller.abort();
    await simulator.waitFor((request) => request === record && request.clientAborted);
    expect(record).toMatchObject({ status: 'client-aborted', clientAborted: true });
  });

  it('ends after every piece without a finish reason or [DONE] with no-finish', async () => {
    const simulator = await startTestSimulator();
    const complete = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator', goals)),
    );
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator@no-finish', goals)),
    );

    expect(capture.error).toBeUndefined();
    expect(capture.content).toBe(complete.content);
    expect(capture.chunks.some((chunk) => chunk.choices?.[0]?.finish_reason)).toBe(false);
    expect(capture.sawDone).toBe(false);
    expect(simulator.requests[1]).toMatchObject({
      status: 'fault',
      fault: 'no-finish',
      text: capture.content,
    });
  });

  it('finishes with "length" after K pieces, then usage and [DONE]', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator@length-after-9', goals)),
    );
    const [finish, usage] = capture.chunks.slice(-2);

    expect(capture.contentPieces).toBe(9);
    expect(finish?.choices?.[0]?.finish_reason).toBe('length');
    expect(usage?.usage?.completion_tokens).toBe(9);
    expect(capture.sawDone).toBe(true);
    expect(simulator.requests[0]?.text).toBe(capture.content);
  });
});

describe('delivery faults', () => {
  it('splits multibyte characters and lines across writes; the decoded text still matches', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(
        simulator,
        completionBody('sluice/simulator@split-utf8', goals, planFormat),
      ),
    );

    expect(capture.reads.some(endsInsideCharacter)).toBe(true);
    expect(capture.reads.some((bytes) => bytes.at(-1) !== 0x0a)).toBe(true);
    expect(capture.sawDone).toBe(true);
    expect(JSON.parse(capture.content)).toHaveProperty('weeks');
    expect(simulator.requests[0]).toMatchObject({
      status: 'completed',
      fault: 'split-utf8',
      text: capture.content,
    });
  });

  it('streams ten times slower with slow', async () => {
    // On a virtual clock, so the schedule is measured exactly and the machine's load is irrelevant.
    const simulator = await startTestSimulator({
      tokensPerSecond: 1000,
      firstTokenDelayMs: 5,
      clock: createVirtualClock(),
    });
    const normal = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator', 'Hi')),
    );
    const slow = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator@slow', 'Hi')),
    );

    expect(slow.sawDone).toBe(true);
    expect(slow.content).toBe(normal.content);
    // Piece i leaves at firstTokenDelayMs + i × (1 ms, or 10 ms when slow); the record ends
    // right after the last one.
    const pieces = slow.contentPieces;
    const durations = simulator.requests.map((record) => (record.endedAt ?? 0) - record.receivedAt);
    expect(durations).toEqual([5 + (pieces - 1) * 1, 5 + (pieces - 1) * 10]);
  });
});
