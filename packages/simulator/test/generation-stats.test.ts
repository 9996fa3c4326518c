import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorClock } from '../src/index';
import { readEventStream } from './read-event-stream';
import {
  closeTestSimulators,
  completionBody,
  postCompletion,
  startTestSimulator,
} from './start-test-simulator';

afterEach(closeTestSimulators);

/** A virtual clock the test can also move forward by hand. */
function createSteppingClock() {
  let now = 1_000_000;
  const clock: SimulatorClock & { advance(ms: number): void } = {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        now += ms;
        setImmediate(() => (signal.aborted ? reject(signal.reason) : resolve()));
      });
    },
    advance(ms) {
      now += ms;
    },
  };
  return clock;
}

interface StatsBody {
  data: {
    id: string;
    tokens_prompt: number;
    tokens_completion: number;
    total_cost: number;
    cancelled: boolean;
  };
}

describe('GET /generation?id= (OpenRouter generation stats)', () => {
  it('names the generation in X-Generation-Id and the chunks, and bills it only after the delay', async () => {
    const clock = createSteppingClock();
    const simulator = await startTestSimulator({ clock, generationStatsDelayMs: 3000 });
    const response = await postCompletion(simulator, completionBody('sluice/simulator', 'Hi'));
    const id = response.headers.get('x-generation-id');
    const capture = await readEventStream(response);
    expect(id).toMatch(/^gen-\d+-/);
    expect(capture.chunks[0]?.id).toBe(id);

    const early = await fetch(`${simulator.url}/generation?id=${id}`);
    expect(early.status).toBe(404);

    clock.advance(3000);
    const ready = await fetch(`${simulator.url}/generation?id=${id}`);
    expect(ready.status).toBe(200);
    const stats = (await ready.json()) as StatsBody;
    const usage = capture.chunks.at(-1)?.usage;
    expect(stats.data).toMatchObject({
      id,
      cancelled: false,
      tokens_prompt: usage?.prompt_tokens,
      tokens_completion: usage?.completion_tokens,
      total_cost: usage?.cost,
    });
  });

  it('bills a cancelled generation for the pieces it sent', async () => {
    const simulator = await startTestSimulator({ generationStatsDelayMs: 0 });
    const controller = new AbortController();
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator@stall-after-7', 'Hi there'),
      { signal: controller.signal },
    );
    const id = response.headers.get('x-generation-id');
    // Read until the seven pieces have arrived (the stream then stalls), then hang up.
    let pieces = 0;
    const parser = createParser({
      onEvent(message) {
        const chunk = JSON.parse(message.data) as {
          choices?: Array<{ delta?: { content?: string } }>;
        };
        if (chunk.choices?.[0]?.delta?.content) pieces += 1;
      },
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    while (pieces < 7) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    controller.abort();
    await simulator.waitFor((candidate) => candidate.id === id && candidate.clientAborted);

    const stats = (await (await fetch(`${simulator.url}/generation?id=${id}`)).json()) as StatsBody;
    expect(stats.data.cancelled).toBe(true);
    expect(stats.data.tokens_completion).toBe(7);
    expect(stats.data.total_cost).toBeGreaterThan(0);
  });

  it('answers 400 without an id and 404 for an unknown one', async () => {
    const simulator = await startTestSimulator();
    expect((await fetch(`${simulator.url}/generation`)).status).toBe(400);
    expect((await fetch(`${simulator.url}/generation?id=gen-0-nothing`)).status).toBe(404);
  });
});
