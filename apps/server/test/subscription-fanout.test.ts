import { afterEach, describe, expect, it } from 'vitest';
import { assembleText, subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

describe('fan-out of one generation', () => {
  it('gives every subscriber the exact text when it is written a slice at a time, sharing serialised frames', async () => {
    // Slices of 2, so 16 subscribers put the writer in fan-out mode (merge while waiting).
    stack = await startTestStack({
      simulator: { tokensPerSecond: 400, firstTokenDelayMs: 200 },
      app: { subscriptionSliceSize: 2 },
    });
    const { planId } = await stack.client.plan.create.mutate({ goals: 'Learn to juggle' });
    const subscriptions = Array.from({ length: 16 }, () => subscribePlan(stack.client, planId));
    const received = await Promise.all(subscriptions.map((subscription) => subscription.ended));
    const upstream = await stack.simulator.waitFor((request) => request.status === 'completed');
    for (const events of received) expect(assembleText(events)).toBe(upstream.text);
    const frames = stack.app.subscriptions.stats().frames;
    expect(frames.reused).toBeGreaterThan(0);
    for (const subscription of subscriptions) subscription.unsubscribe();
  });
});
