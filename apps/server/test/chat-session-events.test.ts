import type { ChatEvent } from '@sluice/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSessionTitle } from '../src/chat/chat-titles';
import { startTestStack, type TestStack } from './support/test-stack';
import { type ChatSessionWatch, watchChatSession } from './support/watch-chat-session';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

type SessionUpdated = Extract<ChatEvent, { type: 'session-updated' }>;

function sessionUpdate(watch: ChatSessionWatch, test: (event: SessionUpdated) => boolean) {
  return watch.next(
    (event) => event.type === 'session-updated' && test(event),
  ) as Promise<SessionUpdated>;
}

/** The id an event arrived with, and the id of the event before it on the same subscription. */
function idsAround(watch: ChatSessionWatch, event: ChatEvent) {
  const index = watch.events.findIndex((received) => received.event === event);
  return { id: watch.events[index]?.id, previousId: watch.events[index - 1]?.id };
}

describe('chat.events tells every subscriber when the session changes', () => {
  it('sends session-updated to every tab when the first message names the session, and on rename and update', async () => {
    stack = await startTestStack();
    const { client } = stack;
    const session = await client.chat.createSession.mutate({});
    expect(session.title).toBe(defaultSessionTitle);
    const tabs = [watchChatSession(client, session.id), watchChatSession(client, session.id)];
    await Promise.all(tabs.map((tab) => tab.connected));

    const sent = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do I learn to juggle three balls?\nI have one week.',
    });
    for (const tab of tabs) {
      const named = await sessionUpdate(
        tab,
        (event) => event.session.title === 'How do I learn to juggle three balls?',
      );
      expect(named).toMatchObject({
        messageId: null,
        session: { id: session.id, model: session.model, createdAt: session.createdAt },
      });
      await tab.endOf(sent.messageId);
    }
    const stored = await client.chat.getSession.query({ sessionId: session.id });
    expect(stored.session.title).toBe('How do I learn to juggle three balls?');

    const renamed = await client.chat.renameSession.mutate({
      sessionId: session.id,
      title: 'Juggling',
    });
    for (const tab of tabs) {
      const event = await sessionUpdate(tab, (update) => update.session.title === 'Juggling');
      expect(event.session).toEqual(renamed);
      // Its id is where the tab stands in the replies: the end of the last one.
      const { id, previousId } = idsAround(tab, event);
      expect(previousId).toMatch(new RegExp(`^${sent.messageId}:`));
      expect(id).toBe(previousId);
    }

    const updated = await client.chat.updateSession.mutate({
      sessionId: session.id,
      systemPrompt: 'You are a circus coach.',
    });
    for (const tab of tabs) {
      const event = await sessionUpdate(
        tab,
        (update) => update.session.systemPrompt === 'You are a circus coach.',
      );
      expect(event.session).toEqual(updated);
      tab.close();
    }
  }, 20_000);

  it('resumes from a session-updated id exactly where the reply events stopped', async () => {
    stack = await startTestStack();
    const { client, simulator } = stack;
    const session = await client.chat.createSession.mutate({});
    const first = watchChatSession(client, session.id);
    await first.connected;

    // Before any reply: the id resumes from nothing (no error, nothing replayed).
    await client.chat.renameSession.mutate({ sessionId: session.id, title: 'Before' });
    const early = await sessionUpdate(first, (event) => event.session.title === 'Before');
    const earlyId = idsAround(first, early).id;
    expect(earlyId).toBe('start');
    const fromStart = watchChatSession(client, session.id, earlyId);
    await fromStart.connected;

    const one = await client.chat.send.mutate({ sessionId: session.id, content: 'First?' });
    await Promise.all([first.endOf(one.messageId), fromStart.endOf(one.messageId)]);
    const upstreamOne = await simulator.waitFor((request) => request.status === 'completed');
    expect(fromStart.textOf(one.messageId)).toBe(upstreamOne.text);
    expect(fromStart.events[0]?.event).toMatchObject({ type: 'message-start' });
    fromStart.close();

    // After a reply: the id is that reply's last position.
    await client.chat.renameSession.mutate({ sessionId: session.id, title: 'After' });
    const late = await sessionUpdate(first, (event) => event.session.title === 'After');
    const lateId = idsAround(first, late).id;
    first.close();
    const resumed = watchChatSession(client, session.id, lateId);
    await resumed.connected;
    const two = await client.chat.send.mutate({ sessionId: session.id, content: 'Second?' });
    await resumed.endOf(two.messageId);
    const upstreamTwo = await simulator.waitFor(
      (request) => request.status === 'completed' && request.id !== upstreamOne.id,
    );
    // Nothing of the first reply again, no snapshot: the second reply in full.
    expect(resumed.events.every(({ event }) => event.messageId !== one.messageId)).toBe(true);
    expect(resumed.events.some(({ event }) => event.type === 'snapshot')).toBe(false);
    expect(resumed.events[0]?.event).toMatchObject({
      type: 'message-start',
      messageId: two.messageId,
    });
    expect(resumed.textOf(two.messageId)).toBe(upstreamTwo.text);
    resumed.close();
  }, 20_000);
});
