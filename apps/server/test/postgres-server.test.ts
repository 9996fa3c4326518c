import { type RunningPostgres, startPostgres } from '@sluice/test-services';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assembleReply, subscribeChat } from './support/chat-events';
import { assembleText, subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

let postgres: RunningPostgres;
let stack: TestStack | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(() => postgres?.stop());
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function health(path: '/healthz' | '/readyz') {
  const response = await fetch(`${stack?.url}${path}`);
  return { status: response.status, body: await response.json() };
}

describe('the server on PostgreSQL (DATABASE_URL=postgres://…)', () => {
  it('boots, answers the probes, runs a plan and a chat reply to completion, exactly', async () => {
    stack = await startTestStack({
      databaseUrl: await postgres.createDatabase(),
      simulator: { tokensPerSecond: 500 },
    });
    const { client, simulator } = stack;
    expect(await health('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await health('/readyz')).toEqual({ status: 200, body: { status: 'ok' } });

    const goals = 'Learn to sail a dinghy by the end of the summer';
    const { planId } = await client.plan.create.mutate({ goals, preferences: { hoursPerWeek: 4 } });
    const events = await subscribePlan(client, planId).ended;
    expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
    const planUpstream = await simulator.waitFor(
      (request) => request.status === 'completed' && JSON.stringify(request.body).includes(goals),
    );
    expect(assembleText(events)).toBe(planUpstream.text);
    const plan = await client.plan.get.query({ planId });
    expect(plan.status).toBe('completed');
    expect(plan.content).toBe(planUpstream.text);
    expect((await client.plan.list.query({})).items.map((item) => item.id)).toEqual([planId]);

    const session = await client.chat.createSession.mutate({ title: 'On Postgres' });
    const watcher = subscribeChat(client, session.id);
    await watcher.connected;
    const sent = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do tides work?',
      clientRequestId: 'req-1',
    });
    // One generating reply per session and unique client request ids: database constraints.
    const conflict = await client.chat.send
      .mutate({ sessionId: session.id, content: 'Another one' })
      .catch((error: unknown) => error);
    expect((conflict as { data?: { code?: string } }).data?.code).toBe('CONFLICT');
    const retried = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do tides work?',
      clientRequestId: 'req-1',
    });
    expect(retried).toMatchObject({ messageId: sent.messageId, attached: true });

    const replyEvents = await watcher.ends(1);
    const replyUpstream = await simulator.waitFor(
      (request) =>
        request.status === 'completed' && JSON.stringify(request.body).includes('How do tides'),
    );
    expect(assembleReply(replyEvents, sent.messageId)).toBe(replyUpstream.text);
    const detail = await client.chat.getSession.query({ sessionId: session.id });
    expect(detail.messages.map((message) => [message.role, message.status])).toEqual([
      ['user', null],
      ['assistant', 'completed'],
    ]);
    expect(detail.messages[1]?.content).toBe(replyUpstream.text);
    watcher.unsubscribe();
  });
});
