import { afterEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/test-stack';
import { watchChatSession } from './support/watch-chat-session';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Far shorter than any reply below: a reply nobody holds is abandoned long before it ends. */
const abandonAfterMs = 150;

describe('a chat session watched by chat.events keeps its replies alive', () => {
  it('completes a reply that outlives ABANDON_AFTER_MS many times when the subscriber was there before the send', async () => {
    // About 150 pieces at 100 per second: over ten times the abandonment grace period.
    stack = await startTestStack({
      simulator: { tokensPerSecond: 100 },
      env: { ABANDON_AFTER_MS: String(abandonAfterMs) },
    });
    const { client, simulator } = stack;
    const session = await client.chat.createSession.mutate({ title: 'Watched' });
    const watch = watchChatSession(client, session.id);
    await watch.connected;

    const sent = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do I learn to juggle three balls?',
    });
    const end = await watch.endOf(sent.messageId);
    const upstream = await simulator.waitFor((request) => request.status !== 'streaming');

    expect(end).toMatchObject({ type: 'end', status: 'completed' });
    expect(end).not.toHaveProperty('reason');
    expect(upstream.status).toBe('completed');
    expect(watch.textOf(sent.messageId)).toBe(upstream.text);
    const detail = await client.chat.getSession.query({ sessionId: session.id });
    expect(detail.messages[1]).toMatchObject({ status: 'completed', content: upstream.text });
    watch.close();
  }, 30_000);

  it('holds each reply while it runs, releases it when it ends, and lets go of all on close', async () => {
    stack = await startTestStack({
      simulator: { tokensPerSecond: 200 },
      env: { ABANDON_AFTER_MS: String(abandonAfterMs) },
    });
    const { client, app } = stack;
    const engine = app.engines.chat;
    const session = await client.chat.createSession.mutate({ title: 'Long-lived tab' });
    const watch = watchChatSession(client, session.id);
    await watch.connected;

    // Each reply after the first starts while the subscription is in its live loop.
    for (const question of ['First question?', 'Second question?', 'Third question?']) {
      const sent = await client.chat.send.mutate({ sessionId: session.id, content: question });
      const running = engine.get(sent.messageId);
      expect(running).toBeDefined();
      const end = await watch.endOf(sent.messageId);
      expect(end.status).toBe('completed');
      // The reply is over: the open subscription holds no attachment to it any more.
      expect(engine.watchers).toBe(0);
    }

    // A subscriber that leaves in the middle of a (long) reply lets go of it: it is abandoned.
    await client.chat.updateSession.mutate({
      sessionId: session.id,
      model: 'sluice/simulator@slow',
    });
    const last = await client.chat.send.mutate({ sessionId: session.id, content: 'A long one?' });
    await watch.next((event) => event.type === 'text-delta' && event.messageId === last.messageId);
    expect(engine.watchers).toBe(1);
    const running = engine.get(last.messageId);
    watch.close();
    expect(await running?.done).toMatchObject({ status: 'partial', reason: 'abandoned' });
    expect(engine.watchers).toBe(0);
  }, 60_000);
});
