import type { Simulator } from '@sluice/simulator';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/routers/app-router';
import { assembleText, type ReceivedEvent, subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const goals = 'Learn to bake sourdough bread';

async function start(options?: Parameters<typeof startTestStack>[0]): Promise<TestStack> {
  stack = await startTestStack(options);
  return stack;
}

/**
 * The invariant of a stream the server stopped reading (abort, cancel, timeout, stall,
 * drop): stored content = what subscribers received = a prefix of what the upstream sent.
 * Bytes the upstream had written when the request was aborted may never have been read.
 */
function expectStoredPrefix(
  content: string,
  received: readonly ReceivedEvent[],
  simulator: Simulator,
): void {
  expect(assembleText(received)).toBe(content);
  const upstream = simulator.requests[0]?.text ?? '';
  expect(upstream.startsWith(content), `"${content}" is not a prefix of "${upstream}"`).toBe(true);
}

describe('cancel', () => {
  it('aborts the upstream request, ends every subscriber with cancelled and keeps the partial', async () => {
    const { client, simulator } = await start({ simulator: { tokensPerSecond: 100 } });
    const { planId } = await client.plan.create.mutate({ goals, model: 'sluice/simulator@slow' });
    const first = subscribePlan(client, planId);
    const second = subscribePlan(client, planId);
    await first.received(6);
    await second.received(2);

    expect(await client.plan.cancel.mutate({ planId })).toEqual({
      status: 'cancelled',
      cancelled: true,
    });
    // The abort reached the upstream: the simulator saw its client leave mid-stream, long
    // before the slow stream could have ended by itself.
    const record = await simulator.waitFor((request) => request.clientAborted);
    expect(record.status).toBe('client-aborted');
    expect(simulator.requests).toHaveLength(1);

    const [firstEvents, secondEvents] = await Promise.all([first.ended, second.ended]);
    for (const events of [firstEvents, secondEvents]) {
      expect(events.at(-1)?.event).toEqual({
        type: 'end',
        status: 'cancelled',
        reason: 'cancelled',
      });
    }
    const plan = await client.plan.get.query({ planId });
    expect(plan.status).toBe('cancelled');
    expect(plan.content.length).toBeGreaterThan(0);
    expect(plan.content).toBe(assembleText(firstEvents));
    expect(assembleText(secondEvents)).toBe(plan.content);
    expect(record.text.startsWith(plan.content)).toBe(true);
  });

  it('answers a second cancel, or a cancel after completion, calmly with the status', async () => {
    const { client } = await start();
    const { planId } = await client.plan.create.mutate({ goals });
    await subscribePlan(client, planId).ended;
    expect(await client.plan.cancel.mutate({ planId })).toEqual({
      status: 'completed',
      cancelled: false,
    });
    expect(await client.plan.cancel.mutate({ planId })).toEqual({
      status: 'completed',
      cancelled: false,
    });
  });
});

describe('upstream faults', () => {
  it('marks a mid-stream error chunk as failed and keeps the partial text', async () => {
    const { client, simulator } = await start();
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@error-after-25',
    });
    const events = await subscribePlan(client, planId).ended;
    const end = events.at(-1)?.event;
    expect(end).toMatchObject({
      type: 'end',
      status: 'failed',
      reason: 'upstream-error',
      error: { code: 'UPSTREAM_STREAM', retryable: true },
    });
    const record = await simulator.waitFor((request) => request.fault === 'error-after-25');
    const plan = await client.plan.get.query({ planId });
    expect(plan.status).toBe('failed');
    expect(plan.content).toBe(record.text);
    expect(assembleText(events)).toBe(record.text);
    expect(plan.error?.message).toMatch(/mid-stream/);
    expect(simulator.requests).toHaveLength(1);
  });

  it('saves a stream with no finish reason as partial, never completed', async () => {
    const { client, simulator } = await start();
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@no-finish',
    });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toEqual({
      type: 'end',
      status: 'partial',
      reason: 'no-finish-reason',
    });
    const record = await simulator.waitFor((request) => request.fault === 'no-finish');
    expect((await client.plan.get.query({ planId })).content).toBe(record.text);
  });

  it('saves a stream cut by the token limit as partial with reason length', async () => {
    const { client } = await start();
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@length-after-30',
    });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toMatchObject({
      type: 'end',
      status: 'partial',
      reason: 'length',
    });
  });

  it('retries a 429 before the first token and completes with no duplicated text', async () => {
    const { client, simulator } = await start();
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@status-429x1',
    });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
    expect(simulator.requests.map((request) => request.status)).toEqual(['fault', 'completed']);
    const plan = await client.plan.get.query({ planId });
    expect(plan.content).toBe(simulator.requests[1]?.text);
    expect(assembleText(events)).toBe(plan.content);
    expect(plan.attempts).toBe(2);
  });

  it('fails with a retryable error after a bounded number of attempts on a persistent 5xx', async () => {
    const { client, simulator } = await start();
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@status-503',
    });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toMatchObject({
      type: 'end',
      status: 'failed',
      error: { code: 'UPSTREAM_HTTP', retryable: true },
    });
    expect(simulator.requests).toHaveLength(3);
    const plan = await client.plan.get.query({ planId });
    expect(plan).toMatchObject({ status: 'failed', content: '', attempts: 3 });
    expect(plan.error?.message).toMatch(/503/);
  });

  it('reports a dropped connection after the first token as failed, without retrying', async () => {
    const { client, simulator } = await start();
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@drop-after-20',
    });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toMatchObject({
      type: 'end',
      status: 'failed',
      error: { code: 'NETWORK' },
    });
    expect(simulator.requests).toHaveLength(1);
    expectStoredPrefix((await client.plan.get.query({ planId })).content, events, simulator);
  });

  it('keeps multibyte characters whole when the upstream splits them across writes', async () => {
    const { client, simulator } = await start();
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@split-utf8',
    });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
    expect(assembleText(events)).toBe(simulator.requests[0]?.text);
    expect(
      [...assembleText(events)].some((character) => (character.codePointAt(0) ?? 0) > 0x7f),
    ).toBe(true);
  });

  it('aborts a stalled upstream after the idle timeout and keeps the partial', async () => {
    const { client, simulator } = await start({ env: { IDLE_TIMEOUT_MS: '300' } });
    const { planId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@stall-after-15',
    });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toEqual({
      type: 'end',
      status: 'partial',
      reason: 'idle-timeout',
    });
    await simulator.waitFor((request) => request.clientAborted);
    expectStoredPrefix((await client.plan.get.query({ planId })).content, events, simulator);
  });

  it('stops a generation at the total STREAMING_TIMEOUT', async () => {
    const { client, simulator } = await start({
      env: { STREAMING_TIMEOUT: '400' },
      simulator: { tokensPerSecond: 50 },
    });
    const { planId } = await client.plan.create.mutate({ goals });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'partial', reason: 'timeout' });
    await simulator.waitFor((request) => request.clientAborted);
  });

  it('abandons a generation nobody watches after ABANDON_AFTER_MS, aborting the upstream', async () => {
    const { client, simulator } = await start({
      env: { ABANDON_AFTER_MS: '200' },
      simulator: { tokensPerSecond: 50 },
    });
    const { planId } = await client.plan.create.mutate({ goals });
    const watcher = subscribePlan(client, planId);
    // On a loaded machine the generation may be abandoned before the watcher attaches:
    // then it ends at once, which is right too.
    await Promise.race([watcher.received(3), watcher.ended]);
    watcher.unsubscribe();
    const record = await simulator.waitFor((request) => request.clientAborted);
    expect(record.status).toBe('client-aborted');
    // A later subscriber gets the whole outcome; it is stored before the end is sent.
    const later = await subscribePlan(client, planId).ended;
    expect(later.at(-1)?.event).toEqual({ type: 'end', status: 'partial', reason: 'abandoned' });
    const plan = await client.plan.get.query({ planId });
    expect(plan.status).toBe('partial');
    expect(plan.reason).toBe('abandoned');
    // What the watcher saw is where the stored text starts.
    expect(plan.content.startsWith(assembleText(watcher.events))).toBe(true);
    expectStoredPrefix(plan.content, later, simulator);
  });
});

describe('bad input', () => {
  async function rowCount(current: TestStack): Promise<number> {
    return (await current.client.plan.list.query({ limit: 100 })).items.length;
  }

  it.each([
    ['empty goals', { goals: '   ' }, 'goals'],
    ['oversized goals', { goals: 'x'.repeat(4001) }, 'goals'],
    ['goals of the wrong type', { goals: 42 }, 'goals'],
    [
      'hours of the wrong type',
      { goals: 'ok', preferences: { hoursPerWeek: 'ten' } },
      'preferences.hoursPerWeek',
    ],
    [
      'an invalid start date',
      { goals: 'ok', preferences: { startDate: '31/12/2026' } },
      'preferences.startDate',
    ],
    ['an unknown preference', { goals: 'ok', preferences: { colour: 'red' } }, 'preferences'],
    ['an oversized model id', { goals: 'ok', model: 'm'.repeat(201) }, 'model'],
  ])(
    'answers %s with BAD_REQUEST and field errors, writing no rows',
    async (_name, input, field) => {
      const current = stack ?? (await start());
      const error = await current.client.plan.create
        .mutate(input as never)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCClientError);
      const data = (error as TRPCClientError<AppRouter>).data as {
        code: string;
        fieldErrors: Record<string, string[]>;
      };
      expect(data.code).toBe('BAD_REQUEST');
      expect(Object.keys(data.fieldErrors)).toContain(field);
      // A readable message, not zod's JSON dump.
      expect((error as Error).message).toMatch(/^Invalid input: /);
      expect((error as Error).message).toContain(`${field}: `);
      expect(await rowCount(current)).toBe(0);
      expect(current.simulator.requests).toHaveLength(0);
    },
  );

  it('answers unknown plan ids with NOT_FOUND on every procedure', async () => {
    const { client } = await start();
    const planId = '00000000-0000-0000-0000-000000000000';
    for (const call of [
      () => client.plan.get.query({ planId }),
      () => client.plan.cancel.mutate({ planId }),
      () => subscribePlan(client, planId).ended,
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
    }
  });

  it('answers a cursor it did not issue with BAD_REQUEST', async () => {
    const { client } = await start();
    const error = await client.plan.list
      .query({ cursor: 'not-a-cursor' })
      .catch((caught: unknown) => caught);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('BAD_REQUEST');
  });
});

describe('load shedding', () => {
  it('refuses new plans with TOO_MANY_REQUESTS while the event loop lags, then accepts again', async () => {
    // The test is the event loop's clock: it sets the measured delay and ends each window.
    let lagMs = 0;
    let endWindow = () => {};
    const current = await start({
      env: { MAX_EVENT_LOOP_DELAY_MS: '40' },
      app: {
        loadMonitor: {
          sampleDelayMs: () => lagMs,
          repeat(_intervalMs, callback) {
            endWindow = callback;
            return () => {};
          },
        },
      },
    });
    // Sustained lag, as under real overload: two windows in a row beyond the limit.
    lagMs = 120;
    endWindow();
    endWindow();
    const error = await current.client.plan.create
      .mutate({ goals })
      .catch((caught: unknown) => caught);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('TOO_MANY_REQUESTS');
    expect((error as Error).message).toMatch(/overloaded/);
    expect(current.simulator.requests).toHaveLength(0);
    // The loop keeps up again: the next window is within the limit.
    lagMs = 5;
    endWindow();
    const accepted = await current.client.plan.create.mutate({ goals });
    expect(accepted.planId).toBeTruthy();
  });
});
