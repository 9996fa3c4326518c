import { afterEach, describe, expect, it } from 'vitest';
import { subscribeChat } from './support/chat-events';
import { subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

let counter = 0;
function uniqueGoals(text: string) {
  counter += 1;
  return `${text} (${process.pid}-${counter})`;
}

function recordFor(current: TestStack, goals: string) {
  return current.simulator.requests.find((record) => JSON.stringify(record.body).includes(goals));
}

async function statsOf(current: TestStack, generationId: string) {
  const response = await fetch(`${current.simulator.url}/generation?id=${generationId}`);
  return ((await response.json()) as { data: { total_cost: number; tokens_completion: number } })
    .data;
}

describe('plans on the direct providers (simulator, offline)', () => {
  it.each([
    ['anthropic:claude-sonnet-4-5', 'max_tokens'],
    ['openai:gpt-4o-mini', 'input'],
  ])('streams a whole plan from %s with a cost computed from the table', async (model, field) => {
    stack = await startTestStack();
    const goals = uniqueGoals('Learn the basics of sailing');
    const { planId } = await stack.client.plan.create.mutate({ goals, model });
    const events = await subscribePlan(stack.client, planId).ended;
    const plan = await stack.client.plan.get.query({ planId });

    expect(plan.status).toBe('completed');
    const record = recordFor(stack, goals);
    expect(record?.body).toHaveProperty(field);
    expect(plan.content).toBe(record?.text);
    // Sonnet 4.5: $3 / $15 per million; gpt-4o-mini: $0.15 / $0.60 (the bundled snapshot).
    const [input, output] = model.startsWith('anthropic:') ? [3e-6, 1.5e-5] : [1.5e-7, 6e-7];
    expect(plan.usage?.costSource).toBe('computed');
    expect(plan.usage?.cost).toBeCloseTo(
      (plan.usage?.inputTokens ?? 0) * input + (plan.usage?.outputTokens ?? 0) * output,
      10,
    );
    const usage = events.find(({ event }) => event.type === 'usage')?.event;
    expect(usage).toMatchObject({ costSource: 'computed', cost: plan.usage?.cost });
  });
});

describe('system.info', () => {
  it('says how each provider is reached and offers priced models', async () => {
    stack = await startTestStack();
    const info = await stack.client.system.info.query();
    expect(info.providers).toEqual([
      { name: 'openrouter', mode: 'custom' },
      { name: 'anthropic', mode: 'custom' },
      { name: 'openai', mode: 'custom' },
    ]);
    expect(info.models).toContainEqual({
      id: 'anthropic:claude-sonnet-4-5',
      provider: 'anthropic',
      inputPerMillionUsd: 3,
      outputPerMillionUsd: 15,
    });
    // The simulator's own models list refreshed the table at boot.
    expect(info.models).toContainEqual({
      id: 'sluice/simulator',
      provider: 'openrouter',
      inputPerMillionUsd: 0.15,
      outputPerMillionUsd: 0.6,
    });
  });
});

describe('the real bill after Stop (OpenRouter, simulator)', () => {
  it('stores an estimate at once, then the billed figure, and tells chat subscribers', async () => {
    stack = await startTestStack({
      simulator: { tokensPerSecond: 50, generationStatsDelayMs: 100 },
      app: { billingDelaysMs: [20, 50, 100, 200, 400, 800, 1600] },
    });
    const session = await stack.client.chat.createSession.mutate({ model: 'sluice/simulator' });
    const subscription = subscribeChat(stack.client, session.id);
    await subscription.connected;
    const content = uniqueGoals('Tell me about the tides');
    const { messageId } = await stack.client.chat.send.mutate({ sessionId: session.id, content });
    await stack.simulator.waitFor(
      (record) => JSON.stringify(record.body).includes(content) && record.text.length > 20,
    );
    await stack.client.chat.cancel.mutate({ sessionId: session.id });
    await subscription.ends(1);

    // At the end: an estimate from the tokens counted so far.
    const ended = subscription.events.filter(
      ({ event }) => event.messageId === messageId && event.type === 'usage',
    );
    expect(ended.at(-1)?.event).toMatchObject({ costSource: 'estimated' });

    // Then OpenRouter's bill, stored and sent as a late usage event after `end`.
    const endIndex = subscription.events.findIndex(
      ({ event }) => event.messageId === messageId && event.type === 'end',
    );
    const lateUsage = () =>
      subscription.events
        .slice(endIndex + 1)
        .find(({ event }) => event.messageId === messageId && event.type === 'usage')?.event;
    await expect.poll(lateUsage, { timeout: 10_000 }).toBeDefined();
    const late = lateUsage();
    const record = recordFor(stack, content);
    const stats = await statsOf(stack, record?.id ?? '');
    expect(late).toMatchObject({
      type: 'usage',
      messageId,
      costSource: 'billed',
      cost: stats.total_cost,
      outputTokens: stats.tokens_completion,
    });
    const { messages } = await stack.client.chat.getSession.query({ sessionId: session.id });
    const reply = messages.find((message) => message.id === messageId);
    expect(reply?.status).toBe('cancelled');
    expect(reply?.usage).toMatchObject({ costSource: 'billed', cost: stats.total_cost });
    subscription.unsubscribe();
  });

  it('keeps a cost the provider reported as billed, with no look-up', async () => {
    stack = await startTestStack();
    const goals = uniqueGoals('Read twelve books');
    const { planId } = await stack.client.plan.create.mutate({ goals });
    await subscribePlan(stack.client, planId).ended;
    const plan = await stack.client.plan.get.query({ planId });
    expect(plan.usage?.costSource).toBe('billed');
    expect(plan.usage?.cost).toBeGreaterThan(0);
  });
});

describe('the spend guard', () => {
  it('stops a generation before its cost crosses MAX_COST_PER_GENERATION_USD, keeping the text', async () => {
    // The simulator's prices: $0.15 and $0.60 per million tokens (its models list).
    stack = await startTestStack({
      simulator: { tokensPerSecond: 200 },
      env: { MAX_COST_PER_GENERATION_USD: '0.0001' },
    });
    const goals = uniqueGoals('Get better at chess');
    const { planId } = await stack.client.plan.create.mutate({
      goals,
      model: 'anthropic:sluice/simulator',
    });
    const events = await subscribePlan(stack.client, planId).ended;
    const plan = await stack.client.plan.get.query({ planId });

    expect(events.at(-1)?.event).toMatchObject({
      type: 'end',
      status: 'partial',
      reason: 'budget',
    });
    expect(plan.status).toBe('partial');
    expect(plan.reason).toBe('budget');
    expect(plan.content.length).toBeGreaterThan(0);
    expect(plan.usage?.costSource).toBe('estimated');
    expect(plan.usage?.cost).toBeLessThan(0.0001);
    // The simulator saw the abort: the upstream request was closed before it finished.
    const record = await stack.simulator.waitFor(
      (candidate) => JSON.stringify(candidate.body).includes(goals) && candidate.clientAborted,
    );
    expect(record.status).toBe('client-aborted');
    expect(record.text.startsWith(plan.content)).toBe(true);
  });

  it('stops a chat reply at its session’s own, lower ceiling', async () => {
    stack = await startTestStack({
      simulator: { tokensPerSecond: 200 },
      env: { MAX_COST_PER_GENERATION_USD: '1' },
    });
    const session = await stack.client.chat.createSession.mutate({
      model: 'anthropic:sluice/simulator',
      maxCostUsd: 0.00003,
    });
    expect(session.maxCostUsd).toBe(0.00003);
    const subscription = subscribeChat(stack.client, session.id);
    await subscription.connected;
    const { messageId } = await stack.client.chat.send.mutate({
      sessionId: session.id,
      content: uniqueGoals('Write me a long story about the sea'),
    });
    const events = await subscription.ends(1);
    const end = events.find(({ event }) => event.messageId === messageId && event.type === 'end');
    expect(end?.event).toMatchObject({ status: 'partial', reason: 'budget' });
    subscription.unsubscribe();
  });

  it('stops at what is left of the monthly budget', async () => {
    stack = await startTestStack({
      simulator: { tokensPerSecond: 200 },
      env: { QUOTA_USD_PER_MONTH: '0.00008' },
    });
    const goals = uniqueGoals('Plan a garden');
    const { planId } = await stack.client.plan.create.mutate({
      goals,
      model: 'openai:sluice/simulator',
    });
    const events = await subscribePlan(stack.client, planId).ended;
    expect(events.at(-1)?.event).toMatchObject({ type: 'end', reason: 'budget' });
  });
});
