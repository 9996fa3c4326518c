import { afterEach, describe, expect, it } from 'vitest';
import { assembleText, subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

describe('many plans at once', () => {
  it('completes 100 concurrent plans, each with exactly the text its upstream sent', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
    const count = 100;
    const created = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        stack.client.plan.create.mutate({
          goals: `Goal number ${index}: learn topic ${index * 7}`,
        }),
      ),
    );
    const results = await Promise.all(
      created.map(({ planId }) => subscribePlan(stack.client, planId).ended),
    );

    const sentByGoal = new Map(
      stack.simulator.requests.map((request) => [
        JSON.stringify(request.body).match(/Goal number (\d+):/)?.[1],
        request.text,
      ]),
    );
    expect(stack.simulator.requests).toHaveLength(count);
    for (const [index, events] of results.entries()) {
      expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
      const sent = sentByGoal.get(String(index));
      expect(sent?.length).toBeGreaterThan(500);
      expect(assembleText(events)).toBe(sent);
    }
    const plans = await stack.client.plan.list.query({ limit: 100 });
    expect(plans.items.every((plan) => plan.status === 'completed')).toBe(true);
    const stored = await Promise.all(
      created.map(({ planId }) => stack.client.plan.get.query({ planId })),
    );
    expect(stored.map((plan) => plan.content)).toEqual(
      results.map((events) => assembleText(events)),
    );
  }, 60_000);
});
