import { planDocumentSchema } from '@sluice/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type Chunk, createEventStreamReader, readEventStream } from './read-event-stream';
import {
  closeTestSimulators,
  completionBody,
  planFormat,
  postCompletion,
  startTestSimulator,
} from './start-test-simulator';

const runningGoals = 'I want to run a 10k and learn Spanish this month';

afterEach(closeTestSimulators);

function contentChunks(chunks: Chunk[]): Chunk[] {
  return chunks.filter((chunk) => chunk.choices?.[0]?.finish_reason === null);
}

describe('a normal stream', () => {
  it('streams a plan as JSON content that matches the plan shape and the recorded text', async () => {
    const simulator = await startTestSimulator();
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator', runningGoals, planFormat),
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const capture = await readEventStream(response);
    const plan = planDocumentSchema.parse(JSON.parse(capture.content));
    expect(plan.weeks.map((week) => week.week)).toEqual([1, 2, 3, 4]);
    for (const week of plan.weeks) {
      expect(week.tasks.length).toBeGreaterThanOrEqual(3);
      expect(week.tasks.length).toBeLessThanOrEqual(5);
    }
    expect(plan.weeks[0]?.focus).toContain('run a 10k');

    const record = await simulator.waitFor((candidate) => candidate.status === 'completed');
    expect(record.text).toBe(capture.content);
    expect(record).toMatchObject({
      model: 'sluice/simulator',
      clientAborted: false,
      fault: undefined,
    });
    expect(record.headers.authorization).toBe('Bearer sk-test');
    expect(record.endedAt).toBeGreaterThanOrEqual(record.receivedAt);
  });

  it('sends chunks field for field like OpenRouter, starting with an empty delta', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator', runningGoals, planFormat)),
    );
    const record = simulator.requests[0];

    expect(record?.id).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);
    const chunks = contentChunks(capture.chunks);
    expect(chunks[0]?.choices?.[0]?.delta).toEqual({ role: 'assistant', content: '' });
    for (const chunk of chunks) {
      expect(Object.keys(chunk)).toEqual([
        'id',
        'provider',
        'model',
        'object',
        'created',
        'choices',
      ]);
      expect(chunk).toMatchObject({
        id: record?.id,
        object: 'chat.completion.chunk',
        model: 'sluice/simulator',
      });
      expect(Object.keys(chunk.choices?.[0] ?? {})).toEqual([
        'index',
        'delta',
        'finish_reason',
        'native_finish_reason',
        'logprobs',
      ]);
      const piece = chunk.choices?.[0]?.delta.content ?? '';
      expect(Array.from(piece).length).toBeLessThanOrEqual(8);
    }
  });

  it('ends with a stop chunk, a usage chunk with cost and no choices, then [DONE]', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator', runningGoals, planFormat)),
    );
    const [finish, usage] = capture.chunks.slice(-2);

    expect(finish?.choices?.[0]).toMatchObject({ delta: { content: '' }, finish_reason: 'stop' });
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toMatchObject({
      completion_tokens: capture.contentPieces,
      is_byok: false,
    });
    expect(usage?.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.usage?.cost).toBeGreaterThan(0);
    expect(capture.items.at(-1)).toEqual({ type: 'data', data: '[DONE]' });
  });

  it('sends keep-alive comments before the first token and while streaming', async () => {
    const simulator = await startTestSimulator({
      firstTokenDelayMs: 30,
      keepAliveIntervalMs: 10,
      tokensPerSecond: 1000,
    });
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator', 'Hi')),
    );
    const firstData = capture.items.findIndex((item) => item.type === 'data');
    const comments = capture.items.filter((item) => item.type === 'comment');

    expect(firstData).toBeGreaterThanOrEqual(2);
    expect(capture.items.slice(0, firstData).every((item) => item.type === 'comment')).toBe(true);
    expect(comments.every((item) => item.text === 'OPENROUTER PROCESSING')).toBe(true);
    expect(Buffer.concat(capture.reads).toString()).toMatch(
      /^: OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n/,
    );
    expect(comments.length).toBeGreaterThan(firstData);
  });

  it('is deterministic for the same request body and differs for other goals', async () => {
    const simulator = await startTestSimulator();
    const read = async (goals: string) =>
      (
        await readEventStream(
          await postCompletion(simulator, completionBody('sluice/simulator', goals, planFormat)),
        )
      ).content;

    const first = await read(runningGoals);
    expect(await read(runningGoals)).toBe(first);
    expect(await read('Learn TypeScript and ship a small app')).not.toBe(first);
  });

  it('writes a plan of 2–4 kB with é, –, ’ and one emoji', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator', runningGoals, planFormat)),
    );

    const size = Buffer.byteLength(capture.content);
    expect(size).toBeGreaterThanOrEqual(1900);
    expect(size).toBeLessThanOrEqual(4096);
    for (const character of ['é', '–', '’']) expect(capture.content).toContain(character);
    expect(capture.content.match(/\p{Extended_Pictographic}/gu)).toHaveLength(1);
  });

  it('answers without a response format in markdown prose about the message', async () => {
    const simulator = await startTestSimulator();
    const capture = await readEventStream(
      await postCompletion(
        simulator,
        completionBody('sluice/simulator', 'How do I get better at public speaking?'),
      ),
    );

    expect(capture.content).toContain('public speaking');
    expect(capture.content).toMatch(/^## /m);
    expect(capture.content).toMatch(/^- /m);
    expect(simulator.requests[0]?.text).toBe(capture.content);
  });

  it('answers stream: false with one chat.completion holding the same content', async () => {
    const simulator = await startTestSimulator();
    const streamed = await readEventStream(
      await postCompletion(simulator, completionBody('sluice/simulator', runningGoals, planFormat)),
    );
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator', runningGoals, { ...planFormat, stream: false }),
    );
    const completion = (await response.json()) as {
      object: string;
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { completion_tokens: number; cost: number };
    };

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe(streamed.content);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage.completion_tokens).toBe(streamed.contentPieces);
    expect(simulator.requests[1]).toMatchObject({ status: 'completed', text: streamed.content });
  });

  it('records the client closing the connection mid-stream', async () => {
    const simulator = await startTestSimulator();
    const controller = new AbortController();
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator@slow', runningGoals, planFormat),
      {
        signal: controller.signal,
      },
    );
    const reader = createEventStreamReader(response);
    await reader.readUntil((capture) => capture.contentPieces >= 3);

    controller.abort();
    const record = simulator.requests[0];
    // A signal, not a deadline: the record changes when the simulator sees the socket close.
    await simulator.waitFor((request) => request === record && request.clientAborted);
    expect(record?.status).toBe('client-aborted');
    expect(record?.text.startsWith(reader.capture.content)).toBe(true);
  });
});

describe('requests it refuses', () => {
  it.each([
    ['invalid JSON', '{"model": "sluice/simulator", "messages": ['],
    ['missing messages', { model: 'sluice/simulator', stream: true }],
    ['empty messages', { model: 'sluice/simulator', stream: true, messages: [] }],
    ['an unknown fault', completionBody('sluice/simulator@explode', 'Hi')],
    [
      'a stream-only fault without streaming',
      completionBody('sluice/simulator@drop-after-3', 'Hi', { stream: false }),
    ],
  ])('answers %s with 400 and an OpenRouter error body', async (_case, body) => {
    const simulator = await startTestSimulator();
    const response = await postCompletion(simulator, body);
    const error = (await response.json()) as { error: { code: number; message: string } };

    expect(response.status).toBe(400);
    expect(error.error.code).toBe(400);
    expect(error.error.message.length).toBeGreaterThan(10);
    expect(simulator.requests).toHaveLength(0);
  });

  it('names the fault it does not know', async () => {
    const simulator = await startTestSimulator();
    const response = await postCompletion(
      simulator,
      completionBody('sluice/simulator@explode', 'Hi'),
    );

    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /Unknown simulator fault "explode"/,
    );
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const simulator = await startTestSimulator();

    expect((await fetch(`${simulator.url}/nothing`)).status).toBe(404);
    expect((await fetch(`${simulator.url}/chat/completions`)).status).toBe(405);
  });
});

describe('other routes', () => {
  it('lists the simulator models', async () => {
    const simulator = await startTestSimulator();
    const response = await fetch(`${simulator.url}/models`);
    const models = (await response.json()) as { data: Array<{ id: string }> };

    expect(models.data.map((model) => model.id)).toContain('sluice/simulator');
  });

  it('serves completions on /v1 as well as /api/v1', async () => {
    const simulator = await startTestSimulator();
    const response = await fetch(simulator.url.replace('/api/v1', '/v1/chat/completions'), {
      method: 'POST',
      body: JSON.stringify(completionBody('sluice/simulator', 'Hi')),
    });

    expect((await readEventStream(response)).sawDone).toBe(true);
  });
});

describe('a continuation', () => {
  it('sends the rest of the text the same conversation produced, after the partial reply', async () => {
    const simulator = await startTestSimulator();
    const original = completionBody('sluice/simulator', runningGoals, planFormat);
    const whole = (await readEventStream(await postCompletion(simulator, original))).content;
    const prefix = whole.slice(0, 123);
    const continuation = {
      ...completionBody('sluice/simulator', runningGoals),
      messages: [
        ...original.messages,
        { role: 'assistant', content: prefix },
        { role: 'user', content: 'You were cut off. Continue exactly where you stopped.' },
      ],
    };
    const rest = (await readEventStream(await postCompletion(simulator, continuation))).content;
    expect(prefix + rest).toBe(whole);
    expect(simulator.requests[1]?.text).toBe(rest);
  });

  it('starts over when the partial reply is not its own (as a confused model might)', async () => {
    const simulator = await startTestSimulator();
    const original = completionBody('sluice/simulator', runningGoals, planFormat);
    const whole = (await readEventStream(await postCompletion(simulator, original))).content;
    const continuation = {
      ...original,
      messages: [
        ...original.messages,
        { role: 'assistant', content: '{"title":"Something else' },
        { role: 'user', content: 'Continue.' },
      ],
    };
    expect((await readEventStream(await postCompletion(simulator, continuation))).content).toBe(
      whole,
    );
  });
});

describe('an experiment request', () => {
  it('answers with one self-contained ```html block that has a title', async () => {
    const simulator = await startTestSimulator();
    const body = {
      ...completionBody('sluice/simulator', 'a bouncing ball'),
      messages: [
        {
          role: 'system',
          content:
            'This is an experiment session: reply with one HTML document in a ```html block.',
        },
        { role: 'user', content: 'a bouncing ball' },
      ],
    };
    const { content } = await readEventStream(await postCompletion(simulator, body));
    const blocks = content.match(/```html\n([\s\S]*?)\n```/g) ?? [];
    expect(blocks).toHaveLength(1);
    expect(content).toMatch(/<title>A bouncing ball – a tiny experiment<\/title>/);
    expect(content).not.toMatch(/<script src=|<link /);
  });
});
