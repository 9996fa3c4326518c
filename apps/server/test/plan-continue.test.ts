import type { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import { continueInstruction } from '../src/plans/plan-prompt';
import type { AppRouter } from '../src/routers/app-router';
import { assembleText, subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

const goals = 'Get comfortable speaking Italian';

function errorCode(error: unknown): string | undefined {
  return (error as TRPCClientError<AppRouter>).data?.code;
}

describe('plan.continue', () => {
  it('finishes a plan cut off by the token limit, from its saved text, into a valid plan', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 600 } });
    const { client, simulator } = stack;
    const { planId: sourceId } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@length-after-40',
    });
    await subscribePlan(client, sourceId).ended;
    const source = await client.plan.get.query({ planId: sourceId });
    expect(source).toMatchObject({ status: 'partial', reason: 'length' });

    const { planId } = await client.plan.continue.mutate({
      planId: sourceId,
      model: 'sluice/simulator',
    });
    expect(planId).not.toBe(sourceId);
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });

    const continued = await client.plan.get.query({ planId });
    const upstream = simulator.requests[1];
    expect(continued.content).toBe(source.content + upstream?.text);
    expect(assembleText(events)).toBe(continued.content);
    expect(continued.plan).toEqual(JSON.parse(continued.content));
    expect(continued).toMatchObject({ continuedFrom: sourceId, goals, model: 'sluice/simulator' });

    // The upstream was asked for the rest only: the partial reply, then the instruction, no schema.
    const body = upstream?.body as {
      messages: Array<{ role: string; content: string }>;
      response_format?: unknown;
    };
    expect(body.messages.slice(-2)).toEqual([
      { role: 'assistant', content: source.content },
      { role: 'user', content: continueInstruction },
    ]);
    expect(body.response_format).toBeUndefined();

    // Its event ids resume exactly too: they count from the start of the saved text.
    const middle = Math.floor(events.length / 2);
    const resumed = await subscribePlan(client, planId, events[middle]?.id).ended;
    expect(assembleText(events.slice(0, middle + 1)) + assembleText(resumed)).toBe(
      continued.content,
    );
  });

  it('refuses what cannot be continued, with typed errors', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 600 } });
    const { client } = stack;
    const { planId: completed } = await client.plan.create.mutate({ goals });
    await subscribePlan(client, completed).ended;
    expect(
      errorCode(await client.plan.continue.mutate({ planId: completed }).catch((error) => error)),
    ).toBe('BAD_REQUEST');

    const { planId: empty } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@status-503',
    });
    await subscribePlan(client, empty).ended;
    const emptyError = await client.plan.continue
      .mutate({ planId: empty })
      .catch((error: unknown) => error);
    expect(errorCode(emptyError)).toBe('BAD_REQUEST');
    expect((emptyError as Error).message).toMatch(/retry it instead/);

    const { planId: running } = await client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@slow',
    });
    expect(
      errorCode(await client.plan.continue.mutate({ planId: running }).catch((error) => error)),
    ).toBe('CONFLICT');
    await client.plan.cancel.mutate({ planId: running });

    expect(
      errorCode(await client.plan.continue.mutate({ planId: 'nope' }).catch((error) => error)),
    ).toBe('NOT_FOUND');
  });
});
