import { type PlanDocument, planDocumentSchema } from '@sluice/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCuttingProxy } from './support/cutting-proxy';
import {
  assembleText,
  type ReceivedEvent,
  type Subscription,
  subscribePlan,
} from './support/plan-events';
import { createClient, startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;

afterEach(async () => {
  await stack?.close();
});

const goals = 'Run a 10k in under 55 minutes and read two novels';

async function simulatorText(planId: string): Promise<string> {
  const plan = await stack.client.plan.get.query({ planId });
  const record = await stack.simulator.waitFor(
    (request) =>
      request.status !== 'streaming' && JSON.stringify(request.body).includes(goals.slice(0, 20)),
  );
  expect(plan.status).not.toBe('generating');
  return record.text;
}

/** Resolves once `witness` got three events past `lastEventId`, or the end. */
async function movedOn(witness: Subscription, lastEventId: string | undefined): Promise<void> {
  for (;;) {
    const index = witness.events.findIndex(({ id }) => id === lastEventId);
    if (index !== -1 && witness.events.length > index + 3) return;
    if (witness.events.at(-1)?.event.type === 'end') return;
    await Promise.race([witness.received(witness.events.length + 1), witness.ended]);
  }
}

function types(events: readonly ReceivedEvent[]): string[] {
  return events.map(({ event }) => event.type);
}

describe('plan streaming over tRPC SSE (real server, simulator, SQLite)', () => {
  beforeEach(async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
  });

  it('streams a plan whose text equals what the simulator sent, then completes', async () => {
    const { planId } = await stack.client.plan.create.mutate({
      goals,
      preferences: { hoursPerWeek: 5 },
    });
    const events = await subscribePlan(stack.client, planId).ended;

    expect(events[0]?.event.type).toBe('snapshot');
    const end = events.at(-1)?.event;
    expect(end).toEqual({ type: 'end', status: 'completed' });
    const text = assembleText(events);
    expect(text).toBe(await simulatorText(planId));

    const plan = await stack.client.plan.get.query({ planId });
    expect(plan.status).toBe('completed');
    expect(plan.content).toBe(text);
    expect(plan.plan).toEqual(JSON.parse(text));
    expect(planDocumentSchema.safeParse(plan.plan).success).toBe(true);
    expect(plan.usage?.outputTokens).toBeGreaterThan(0);
    expect(plan.usage?.cost).toBeGreaterThan(0);

    const weeks = (plan.plan as PlanDocument).weeks.length;
    expect(types(events).filter((type) => type === 'week-start')).toHaveLength(weeks);
    const weekEnds = events.flatMap(({ event }) => (event.type === 'week-end' ? [event] : []));
    expect(weekEnds.map((event) => event.week)).toEqual((plan.plan as PlanDocument).weeks);
    expect(types(events)).toContain('summary-end');
    expect(types(events).slice(-2)).toEqual(['usage', 'end']);
  });

  it('resumes exactly after three forced disconnects, with no snapshot and nothing doubled', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals });
    // A second client that stays connected tells when the stream has moved on.
    const witness = subscribePlan(stack.client, planId);
    const received: ReceivedEvent[] = [];
    let lastEventId: string | undefined;
    for (let cycle = 0; cycle < 3; cycle++) {
      const subscription = subscribePlan(stack.client, planId, lastEventId);
      await subscription.received(cycle === 0 ? 8 : 5);
      subscription.unsubscribe();
      received.push(...subscription.events);
      lastEventId = subscription.lastEventId;
      // While away, the stream goes on: the resume has events to catch up on.
      await movedOn(witness, lastEventId);
    }
    witness.unsubscribe();
    const rest = await subscribePlan(stack.client, planId, lastEventId).ended;
    received.push(...rest);

    // Only the very first subscription (no lastEventId) starts with a snapshot.
    expect(types(received).filter((type) => type === 'snapshot')).toHaveLength(1);
    const ids = received.map(({ id }) => id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(assembleText(received)).toBe(await simulatorText(planId));
    expect(types(received).filter((type) => type === 'end')).toHaveLength(1);
  });

  it('stays exact when the network cuts the connection three times and the link reconnects by itself', {
    timeout: 30_000,
  }, async () => {
    // Slower, so the stream is still running after each reconnection (EventSource waits ~3 s).
    await stack.close();
    stack = await startTestStack({ simulator: { tokensPerSecond: 80 } });
    const proxy = await startCuttingProxy(new URL(stack.url));
    try {
      const client = createClient(proxy.url);
      const { planId } = await client.plan.create.mutate({ goals });
      const subscription = subscribePlan(client, planId);
      await subscription.received(5);
      for (let cut = 0; cut < 3; cut++) {
        const connectionsBefore = proxy.connections;
        const eventsBefore = subscription.events.length;
        expect(proxy.cutAll()).toBeGreaterThan(0);
        await expect
          .poll(() => proxy.connections, { timeout: 10_000 })
          .toBeGreaterThan(connectionsBefore);
        // Something new arrives over the new connection before the next cut.
        await Promise.race([subscription.received(eventsBefore + 2), subscription.ended]);
      }
      const events = await subscription.ended;
      expect(types(events).filter((type) => type === 'snapshot')).toHaveLength(1);
      const ids = events.map(({ id }) => id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(assembleText(events)).toBe(await simulatorText(planId));
    } finally {
      await proxy.close();
    }
  });

  it('gives a subscriber that joins mid-stream a snapshot, then the live tail', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const first = subscribePlan(stack.client, planId);
    await first.received(30);
    const late = subscribePlan(stack.client, planId);
    const [early, joined] = await Promise.all([first.ended, late.ended]);

    const snapshot = joined[0]?.event;
    expect(snapshot?.type).toBe('snapshot');
    if (snapshot?.type !== 'snapshot') throw new Error('expected a snapshot');
    expect(snapshot.status).toBe('generating');
    expect(snapshot.content.length).toBeGreaterThan(0);
    const text = await simulatorText(planId);
    expect(assembleText(joined)).toBe(text);
    expect(assembleText(early)).toBe(text);
  });

  it('resumes a finished plan exactly from the database by event id', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const all = await subscribePlan(stack.client, planId).ended;
    const middle = Math.floor(all.length / 2);
    const resumed = await subscribePlan(stack.client, planId, all[middle]?.id).ended;
    expect(assembleText(all.slice(0, middle + 1)) + assembleText(resumed, '')).toBe(
      assembleText(all),
    );
    expect(resumed.map(({ event }) => event.type)).not.toContain('snapshot');
    // The semantic events missed are replayed too, once each.
    const missedWeekEnds = all
      .slice(middle + 1)
      .filter(({ event }) => event.type === 'week-end').length;
    expect(resumed.filter(({ event }) => event.type === 'week-end')).toHaveLength(missedWeekEnds);
    expect(resumed.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
  });

  it('writes a whole plan without streaming through plan.generate (the fallback)', async () => {
    const plan = await stack.client.plan.generate.mutate({
      goals,
      preferences: { hoursPerWeek: 3 },
    });
    expect(plan.status).toBe('completed');
    const upstream = stack.simulator.requests.find((request) => request.status === 'completed');
    expect(plan.content).toBe(upstream?.text);
    expect(plan.plan).toEqual(JSON.parse(plan.content));
    expect(plan.preferences).toEqual({ hoursPerWeek: 3 });
    expect((await stack.client.plan.get.query({ planId: plan.id })).status).toBe('completed');
  });

  it('answers an unknown or foreign lastEventId with a snapshot', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals });
    await subscribePlan(stack.client, planId).ended;
    for (const lastEventId of ['999999.0', 'garbage', '0.999']) {
      const events = await subscribePlan(stack.client, planId, lastEventId).ended;
      expect(events[0]?.event.type).toBe('snapshot');
      expect(assembleText(events)).toBe((await stack.client.plan.get.query({ planId })).content);
    }
  });
});
