import { afterEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/test-stack';
import { type BatchCall, type BatchOutcome, postBatch } from './support/trpc-batch';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const maxActive = 5;

/** Slow replies (they are still running when the batch answers), a cap of 5, no load shedding. */
function startCappedStack() {
  return startTestStack({
    simulator: { tokensPerSecond: 20 },
    env: {
      MAX_ACTIVE_GENERATIONS: String(maxActive),
      MAX_EVENT_LOOP_DELAY_MS: '600000',
      // Room for the batches below, whatever the default batch limit is.
      MAX_BATCH_SIZE: '1000',
    },
  });
}

function planCreate(index: number): BatchCall {
  return { path: 'plan.create', input: { goals: `Goal number ${index}: learn to draw` } };
}

function chatSend(sessionId: string, index: number): BatchCall {
  return { path: 'chat.send', input: { sessionId, content: `Question ${index}?` } };
}

function accepted(outcomes: BatchOutcome[]): unknown[] {
  return outcomes.flatMap((outcome) => (outcome.ok ? [outcome.data] : []));
}

function refusalCodes(outcomes: BatchOutcome[]): Array<string | undefined> {
  return outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.code]));
}

async function createSessions(current: TestStack, count: number): Promise<string[]> {
  const outcomes = await postBatch(
    current.url,
    Array.from({ length: count }, (_, index) => ({
      path: 'chat.createSession',
      input: { title: `Session ${index}` },
    })),
  );
  return accepted(outcomes).map((session) => (session as { id: string }).id);
}

/** Waits until the simulator has received `count` requests (those started reach it). */
async function upstreamRequests(current: TestStack, count: number): Promise<void> {
  await current.simulator.waitFor(() => current.simulator.requests.length >= count, 10_000);
}

/** Stops everything running (each cancel resolves once its result is saved). */
async function stopAll(current: TestStack, planIds: string[], sessionIds: string[]) {
  await Promise.all([
    ...planIds.map((planId) => current.client.plan.cancel.mutate({ planId })),
    ...sessionIds.map((sessionId) => current.client.chat.cancel.mutate({ sessionId })),
  ]);
}

describe('MAX_ACTIVE_GENERATIONS holds however the calls arrive', () => {
  it('starts exactly the cap out of one HTTP batch of 40 plan.create, then accepts again once they end', async () => {
    stack = await startCappedStack();
    const outcomes = await postBatch(
      stack.url,
      Array.from({ length: 40 }, (_, index) => planCreate(index)),
    );
    const planIds = accepted(outcomes).map((data) => (data as { planId: string }).planId);
    expect(planIds).toHaveLength(maxActive);
    expect(refusalCodes(outcomes)).toEqual(Array(40 - maxActive).fill('TOO_MANY_REQUESTS'));
    const refusal = outcomes.find((outcome) => !outcome.ok);
    expect(refusal).toMatchObject({ message: expect.stringContaining('MAX_ACTIVE_GENERATIONS') });

    await upstreamRequests(stack, maxActive);
    await stopAll(stack, planIds, []);
    // Every generation that started has ended: no other request was ever made upstream.
    expect(stack.simulator.requests).toHaveLength(maxActive);
    expect(stack.app.generationSlots.inUse).toBe(0);
    const listed = await stack.client.plan.list.query({ limit: 100 });
    expect(listed.items).toHaveLength(maxActive);

    // The slots came back: a new batch gets the whole cap again.
    const again = await postBatch(
      stack.url,
      Array.from({ length: 8 }, (_, index) => planCreate(100 + index)),
    );
    expect(accepted(again)).toHaveLength(maxActive);
    await stopAll(
      stack,
      accepted(again).map((data) => (data as { planId: string }).planId),
      [],
    );
  }, 30_000);

  it('starts exactly the cap out of one HTTP batch of 40 chat.send to 40 sessions', async () => {
    stack = await startCappedStack();
    const sessionIds = await createSessions(stack, 40);
    expect(sessionIds).toHaveLength(40);
    const outcomes = await postBatch(
      stack.url,
      sessionIds.map((sessionId, index) => chatSend(sessionId, index)),
    );
    expect(accepted(outcomes)).toHaveLength(maxActive);
    expect(refusalCodes(outcomes)).toEqual(Array(40 - maxActive).fill('TOO_MANY_REQUESTS'));

    await upstreamRequests(stack, maxActive);
    await stopAll(stack, [], sessionIds);
    expect(stack.simulator.requests).toHaveLength(maxActive);
    expect(stack.app.generationSlots.inUse).toBe(0);
  }, 30_000);

  it('counts plans and chat replies against one cap, in one mixed batch', async () => {
    stack = await startCappedStack();
    const sessionIds = await createSessions(stack, 20);
    const calls = sessionIds.flatMap((sessionId, index) => [
      planCreate(index),
      chatSend(sessionId, index),
    ]);
    const outcomes = await postBatch(stack.url, calls);
    expect(accepted(outcomes)).toHaveLength(maxActive);
    expect(refusalCodes(outcomes)).toEqual(Array(40 - maxActive).fill('TOO_MANY_REQUESTS'));

    const planIds = outcomes.flatMap((outcome, index) =>
      outcome.ok && calls[index]?.path === 'plan.create'
        ? [(outcome.data as { planId: string }).planId]
        : [],
    );
    await upstreamRequests(stack, maxActive);
    await stopAll(stack, planIds, sessionIds);
    expect(stack.simulator.requests).toHaveLength(maxActive);
    expect(stack.app.generationSlots.inUse).toBe(0);
  }, 30_000);

  it('gives the slot back when a start fails or attaches: conflicts, unknown ids, retried sends', async () => {
    stack = await startCappedStack();
    const { client } = stack;
    const [sessionId] = await createSessions(stack, 1);
    if (!sessionId) throw new Error('no session');
    const first = await client.chat.send.mutate({
      sessionId,
      content: 'The one running reply',
      clientRequestId: 'request-1',
    });
    const running = await client.plan.create.mutate({ goals: 'Learn to knit' });

    // Twice the cap of calls that start nothing, one after the other.
    const failures: BatchCall[] = [
      ...Array.from({ length: maxActive }, (_, index) => chatSend(sessionId, index)),
      ...Array.from({ length: maxActive }, () => ({
        path: 'chat.send',
        input: { sessionId, content: 'The one running reply', clientRequestId: 'request-1' },
      })),
      ...Array.from({ length: maxActive }, () => ({
        path: 'plan.continue',
        input: { planId: running.planId },
      })),
      ...Array.from({ length: maxActive }, () => ({
        path: 'plan.continue',
        input: { planId: 'no-such-plan' },
      })),
      ...Array.from({ length: maxActive }, (_, index) => chatSend('no-such-session', index)),
    ];
    const answers: BatchOutcome[] = [];
    for (const call of failures) answers.push(...(await postBatch(stack.url, [call])));
    expect(refusalCodes(answers)).toEqual([
      ...Array(maxActive * 2).fill('CONFLICT'),
      ...Array(maxActive * 2).fill('NOT_FOUND'),
    ]);
    // The retried sends attached to the running reply instead of starting one.
    expect(accepted(answers)).toEqual(
      Array(maxActive).fill(
        expect.objectContaining({ messageId: first.messageId, attached: true }),
      ),
    );
    expect(stack.app.generationSlots.inUse).toBe(2);

    // Two running: exactly three more fit.
    const fill = await postBatch(
      stack.url,
      Array.from({ length: 10 }, (_, index) => planCreate(index)),
    );
    expect(accepted(fill)).toHaveLength(maxActive - 2);
    expect(stack.simulator.requests.length).toBeLessThanOrEqual(maxActive);
    await upstreamRequests(stack, maxActive);
    await stopAll(
      stack,
      [running.planId, ...accepted(fill).map((data) => (data as { planId: string }).planId)],
      [sessionId],
    );
    expect(stack.simulator.requests).toHaveLength(maxActive);
    expect(stack.app.generationSlots.inUse).toBe(0);
  }, 30_000);
});
