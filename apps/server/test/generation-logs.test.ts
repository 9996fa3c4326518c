import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { subscribePlan } from './support/plan-events';
import { createClient, startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

type LogLine = Record<string, unknown> & { level: number; msg: string };

function recordingLogger() {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)));
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, destination), lines };
}

describe('generation logs', () => {
  it('name the generation, its user and the request that started it on every line', async () => {
    const { logger, lines } = recordingLogger();
    stack = await startTestStack({ app: { logger } });
    const requestId = 'request-from-the-proxy-1';
    const client = createClient(stack.url, { apiKey: stack.admin.apiKey });
    // The id a proxy in front sets is kept (and answered in the response header).
    const response = await fetch(`${stack.url}/trpc/plan.create`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${stack.admin.apiKey}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({ goals: 'Learn to juggle', model: 'sluice/simulator@status-503x4' }),
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const { result } = (await response.json()) as { result: { data: { planId: string } } };
    const planId = result.data.planId;
    await stack.app.engines.plans.get(planId)?.done;
    await client.plan.get.query({ planId });

    const about = lines.filter((line) => line.generationId === planId);
    // Retries, then the end.
    expect(about.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['retrying the upstream request', 'generation ended early']),
    );
    for (const line of about) {
      expect(line).toMatchObject({ planId, userId: stack.admin.user.id, requestId });
    }
    // An id that does not look like one (here: too long, with spaces) is replaced.
    const other = await fetch(`${stack.url}/healthz`, {
      headers: { 'x-request-id': `a b ${'x'.repeat(80)}` },
    });
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('write an early end as one structured line with the reason, partial length and usage', async () => {
    const { logger, lines } = recordingLogger();
    stack = await startTestStack({ app: { logger } });
    const { client } = stack;
    const { planId } = await client.plan.create.mutate({
      goals: 'Learn to knit',
      model: 'sluice/simulator@slow',
    });
    const subscription = subscribePlan(client, planId);
    await subscription.received(3);
    await client.plan.cancel.mutate({ planId });
    await subscription.ended;
    const saved = await client.plan.get.query({ planId });

    const endings = lines.filter(
      (line) => line.generationId === planId && String(line.msg).startsWith('generation'),
    );
    expect(endings).toHaveLength(1);
    expect(endings[0]).toMatchObject({
      msg: 'generation stopped',
      status: 'cancelled',
      reason: 'cancelled',
      partialLength: saved.content.length,
      userId: stack.admin.user.id,
      requestId: expect.any(String),
    });
    expect(saved.content.length).toBeGreaterThan(0);
    expect(endings[0]).toHaveProperty('stats');
  });
});
