import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TRPCClientError } from '@trpc/client';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { experimentInstruction } from '../src/chat/chat-prompt';
import type { AppRouter } from '../src/routers/app-router';
import { assembleReply, subscribeChat } from './support/chat-events';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

function errorOf(error: unknown): { code?: string; message: string } {
  return {
    code: (error as TRPCClientError<AppRouter>).data?.code,
    message: (error as Error).message,
  };
}

describe('chat over tRPC SSE (real server, simulator, SQLite)', () => {
  it('streams a reply to two subscribers who assemble identical, exact text, with usage and stats stored', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 500 } });
    const { client, simulator } = stack;
    const session = await client.chat.createSession.mutate({ title: 'Two tabs' });
    const first = subscribeChat(client, session.id);
    const second = subscribeChat(client, session.id);
    await Promise.all([first.connected, second.connected]);

    const sent = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do I learn to juggle?',
    });
    const [one, two] = await Promise.all([first.ends(1), second.ends(1)]);
    const upstream = await simulator.waitFor((request) => request.status === 'completed');
    expect(assembleReply(one, sent.messageId)).toBe(upstream.text);
    expect(assembleReply(two, sent.messageId)).toBe(upstream.text);
    expect(one.every(({ event }) => event.messageId === sent.messageId)).toBe(true);
    expect(one[0]?.event).toMatchObject({
      type: 'message-start',
      userMessage: { id: sent.userMessageId, content: 'How do I learn to juggle?' },
    });
    expect(one.map(({ event }) => event.type).slice(-2)).toEqual(['usage', 'end']);

    const detail = await client.chat.getSession.query({ sessionId: session.id });
    expect(detail.messages.map((message) => [message.role, message.status])).toEqual([
      ['user', null],
      ['assistant', 'completed'],
    ]);
    const reply = detail.messages[1];
    expect(reply?.content).toBe(upstream.text);
    expect(reply?.usage?.outputTokens).toBeGreaterThan(0);
    expect(reply?.usage?.cost).toBeGreaterThan(0);
    expect(reply?.stats).toMatchObject({ characters: upstream.text.length });
    expect(reply?.stats?.chunks).toBeGreaterThan(5);
    expect(reply?.stats?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    first.unsubscribe();
    second.unsubscribe();
  });

  it('sends the composed prompt upstream exactly: system parts, history, post-system prompt, message', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 800 } });
    const { client, simulator } = stack;
    await client.chat.updateSettings.mutate({
      preSystemPrompt: 'Be kind.',
      postSystemPrompt: 'Answer briefly.',
    });
    const session = await client.chat.createSession.mutate({
      systemPrompt: 'You are a coach.',
      character: '',
      userProfile: 'The user is a beginner.',
    });
    const first = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'First?',
      stream: false,
    });
    const second = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'Second?',
      stream: false,
    });
    expect(second.message?.status).toBe('completed');
    // A session still called "New chat" is named after its first message, once.
    expect((await client.chat.getSession.query({ sessionId: session.id })).session.title).toBe(
      'First?',
    );
    const body = simulator.requests[1]?.body as { messages: unknown; model: string };
    expect(body.model).toBe(session.model);
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be kind.\n---\nYou are a coach.\n---\nThe user is a beginner.' },
      { role: 'user', content: 'First?' },
      { role: 'assistant', content: first.message?.content },
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: 'Second?' },
    ]);
  });

  it('answers a second send during a stream with CONFLICT, enforced by the database', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 100 } });
    const { client, simulator } = stack;
    const session = await client.chat.createSession.mutate({});
    const sent = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'A long answer, please',
    });
    const error = await client.chat.send
      .mutate({ sessionId: session.id, content: 'Another' })
      .catch((caught) => caught);
    expect(errorOf(error).code).toBe('CONFLICT');
    const detail = await client.chat.getSession.query({ sessionId: session.id });
    expect(detail.messages).toHaveLength(2);
    expect(simulator.requests).toHaveLength(1);
    await client.chat.cancel.mutate({ sessionId: session.id });
    expect(sent.messageId).toBeTruthy();
  });

  it('attaches a retried send with the same clientRequestId to the first generation', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 300 } });
    const { client, simulator } = stack;
    const session = await client.chat.createSession.mutate({});
    const request = {
      sessionId: session.id,
      content: 'Tell me about tides',
      clientRequestId: 'tab-1-req-7',
    };
    const [first, again] = await Promise.all([
      client.chat.send.mutate(request),
      client.chat.send.mutate(request),
    ]);
    const third = await client.chat.send.mutate({ ...request, stream: false });
    expect(new Set([first.messageId, again.messageId, third.messageId]).size).toBe(1);
    expect([first.attached, again.attached].sort()).toEqual([false, true]);
    expect(third.message?.status).toBe('completed');
    expect(simulator.requests).toHaveLength(1);
    expect((await client.chat.getSession.query({ sessionId: session.id })).messages).toHaveLength(
      2,
    );
  });

  it('cancels: aborts the upstream, ends every tab with cancelled, keeps the partial; calm when nothing runs', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 60 } });
    const { client, simulator } = stack;
    const session = await client.chat.createSession.mutate({});
    const tabs = [subscribeChat(client, session.id), subscribeChat(client, session.id)];
    await Promise.all(tabs.map((tab) => tab.connected));
    const sent = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'Explain gravity',
    });
    await tabs[0]?.received(6);
    expect(await client.chat.cancel.mutate({ sessionId: session.id })).toEqual({
      cancelled: true,
      messageId: sent.messageId,
      status: 'cancelled',
    });
    // The abort reached the upstream: the simulator saw its client leave mid-stream.
    const upstream = await simulator.waitFor((request) => request.clientAborted);
    expect(upstream.status).toBe('client-aborted');
    const received: string[] = [];
    for (const tab of tabs) {
      const events = await tab.ends(1);
      expect(events.at(-1)?.event).toEqual({
        type: 'end',
        status: 'cancelled',
        reason: 'cancelled',
        messageId: sent.messageId,
      });
      received.push(assembleReply(events, sent.messageId));
      tab.unsubscribe();
    }
    const reply = (await client.chat.getSession.query({ sessionId: session.id })).messages[1];
    expect(reply?.status).toBe('cancelled');
    expect(reply?.content.length).toBeGreaterThan(0);
    // Stored = what every tab received = a prefix of what the upstream sent (bytes in
    // flight when the request was aborted were never read).
    expect(received).toEqual([reply?.content, reply?.content]);
    expect(upstream.text.startsWith(reply?.content ?? '')).toBe(true);
    expect(await client.chat.cancel.mutate({ sessionId: session.id })).toEqual({
      cancelled: false,
      messageId: null,
      status: null,
    });
  });

  it('settles the race between cancel and completion consistently, never with an error', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 4000, firstTokenDelayMs: 0 } });
    const { client } = stack;
    const session = await client.chat.createSession.mutate({});
    const outcomes = new Set<string>();
    // The first round cancels only once the reply has ended; the second one stalls upstream
    // after three pieces, so the cancel wins; the others cancel after 0 to 9 events, where
    // either may win.
    const rounds = [
      { model: session.model, cancelAfter: 'end' as const },
      { model: 'sluice/simulator@stall-after-3', cancelAfter: 2 },
      ...Array.from({ length: 10 }, (_, events) => ({ model: session.model, cancelAfter: events })),
    ];
    for (const [round, { model, cancelAfter }] of rounds.entries()) {
      await client.chat.updateSession.mutate({ sessionId: session.id, model });
      const tab = subscribeChat(client, session.id);
      await tab.connected;
      const sent = await client.chat.send.mutate({
        sessionId: session.id,
        content: `Round ${round}`,
      });
      await (cancelAfter === 'end'
        ? tab.ends(1)
        : Promise.race([tab.received(cancelAfter), tab.ends(1)]));
      const [first, second] = await Promise.all([
        client.chat.cancel.mutate({ sessionId: session.id }),
        client.chat.cancel.mutate({ sessionId: session.id }),
      ]);
      const events = await tab.ends(1);
      tab.unsubscribe();
      const end = events.findLast(({ event }) => event.type === 'end')?.event;
      const stored = (await client.chat.getSession.query({ sessionId: session.id })).messages.find(
        (message) => message.id === sent.messageId,
      );
      // The reply ended exactly once, in the state the database holds.
      expect(end && 'status' in end ? end.status : undefined).toBe(stored?.status);
      expect(['cancelled', 'completed']).toContain(stored?.status);
      // At most one of the two cancels did anything, and only if the reply ended cancelled.
      const effective = [first, second].filter((result) => result.cancelled);
      expect(effective.length).toBe(stored?.status === 'cancelled' ? 1 : 0);
      outcomes.add(stored?.status ?? '');
      if (round === 0) expect(stored?.status).toBe('completed');
      if (round === 1) expect(stored?.status).toBe('cancelled');
    }
    expect([...outcomes].sort()).toEqual(['cancelled', 'completed']);
  });

  it('resumes a session subscription exactly by event id, across replies', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
    const { client } = stack;
    const session = await client.chat.createSession.mutate({});
    const tab = subscribeChat(client, session.id);
    await tab.connected;
    const first = await client.chat.send.mutate({ sessionId: session.id, content: 'One' });
    await tab.received(10);
    tab.unsubscribe();
    const lastEventId = tab.lastEventId;
    const seen = tab.events.slice();
    // While away: the first reply ends (cancelled, or finished already) and a second one is written.
    await client.chat.cancel.mutate({ sessionId: session.id }).catch(() => undefined);
    const detailBefore = await client.chat.getSession.query({ sessionId: session.id });
    expect(detailBefore.messages[1]?.status).not.toBe('generating');
    const second = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'Two',
      stream: false,
    });

    const back = subscribeChat(client, session.id, lastEventId);
    const events = await back.ends(2);
    back.unsubscribe();
    expect(events.map(({ event }) => event.type)).not.toContain('snapshot');
    const detail = await client.chat.getSession.query({ sessionId: session.id });
    expect(assembleReply(seen, first.messageId) + assembleReply(events, first.messageId)).toBe(
      detail.messages[1]?.content,
    );
    expect(assembleReply(events, second.messageId)).toBe(detail.messages[3]?.content);
    expect(
      events
        .filter(({ event }) => event.type === 'message-start')
        .map(({ event }) => event.messageId),
    ).toEqual([second.messageId]);
  });

  it('extracts the HTML experiment of an experiment session as an artifact with its title', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 2000 } });
    const { client, simulator } = stack;
    const session = await client.chat.createSession.mutate({ experiment: true });
    const tab = subscribeChat(client, session.id);
    await tab.connected;
    const sent = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'a bouncing ball',
    });
    expect(sent.artifactId).toBeTruthy();
    const events = await tab.ends(1);
    tab.unsubscribe();

    const upstream = simulator.requests[0];
    const body = upstream?.body as
      | { messages: Array<{ role: string; content: string }> }
      | undefined;
    const system = body?.messages[0];
    expect(system).toEqual({ role: 'system', content: experimentInstruction });
    const block = /```html\n([\s\S]*?)\n```/.exec(upstream?.text ?? '')?.[1];
    const artifact = await client.chat.getArtifact.query({ artifactId: sent.artifactId ?? '' });
    expect(artifact).toEqual({
      id: sent.artifactId,
      messageId: sent.messageId,
      title: 'A bouncing ball – a tiny experiment',
      html: block,
    });
    expect(events.map(({ event }) => event.type)).toEqual(
      expect.arrayContaining(['message-start', 'artifact-start', 'artifact-end', 'usage', 'end']),
    );

    // Two prior turns later, replies are ordinary chat: no artifact is provisioned.
    await client.chat.send.mutate({ sessionId: session.id, content: 'make it red', stream: false });
    const third = await client.chat.send.mutate({
      sessionId: session.id,
      content: 'thanks',
      stream: false,
    });
    expect(third.artifactId).toBeNull();
    const detail = await client.chat.getSession.query({ sessionId: session.id });
    expect(detail.artifacts.map((row) => row.id)).toHaveLength(2);
  });

  it('makes no upstream call and says so clearly when the messages cannot be saved', async () => {
    stack = await startTestStack();
    const { client, simulator, databasePath } = stack;
    const session = await client.chat.createSession.mutate({});
    const sqlite = new Database(databasePath);
    sqlite.exec(
      "create trigger refuse_messages before insert on chat_messages begin select raise(abort, 'disk I/O error'); end",
    );
    sqlite.close();
    const error = errorOf(
      await client.chat.send
        .mutate({ sessionId: session.id, content: 'hello' })
        .catch((caught) => caught),
    );
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toBe(
      'Could not save your message, so nothing was sent to the model. Try again.',
    );
    expect(simulator.requests).toHaveLength(0);
  });

  it('keeps a reply stopped by a server shutdown as partial, with its text', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sluice-chat-restart-'));
    try {
      const first = await startTestStack({ directory, simulator: { tokensPerSecond: 60 } });
      const session = await first.client.chat.createSession.mutate({});
      const tab = subscribeChat(first.client, session.id);
      await tab.connected;
      const sent = await first.client.chat.send.mutate({
        sessionId: session.id,
        content: 'Explain tides',
      });
      await tab.received(8);
      await first.close();
      // The server wrote the end before closing; the client may still be reading it.
      const events = await tab.ends(1);
      const streamed = assembleReply(events, sent.messageId);
      expect(events.at(-1)?.event).toMatchObject({
        type: 'end',
        status: 'partial',
        reason: 'server-restart',
      });

      stack = await startTestStack({ directory });
      const reply = (await stack.client.chat.getSession.query({ sessionId: session.id }))
        .messages[1];
      expect(reply).toMatchObject({
        status: 'partial',
        reason: 'server-restart',
        content: streamed,
      });
      expect(streamed.length).toBeGreaterThan(0);
      // A send now starts a new reply: the stopped one no longer blocks the session.
      const next = await stack.client.chat.send.mutate({
        sessionId: session.id,
        content: 'Go on',
        stream: false,
      });
      expect(next.message?.status).toBe('completed');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('manages sessions: rename, settings, delete; typed errors for bad input', async () => {
    stack = await startTestStack();
    const { client } = stack;
    const session = await client.chat.createSession.mutate({ title: 'Draft' });
    expect(
      (await client.chat.renameSession.mutate({ sessionId: session.id, title: 'Final' })).title,
    ).toBe('Final');
    const updated = await client.chat.updateSession.mutate({
      sessionId: session.id,
      character: 'A pirate',
      experiment: true,
    });
    expect(updated).toMatchObject({ title: 'Final', character: 'A pirate', experiment: true });
    expect((await client.chat.listSessions.query()).map((row) => row.id)).toEqual([session.id]);

    const empty = errorOf(
      await client.chat.send
        .mutate({ sessionId: session.id, content: '  ' })
        .catch((caught) => caught),
    );
    expect(empty.code).toBe('BAD_REQUEST');
    const missing = errorOf(
      await client.chat.send.mutate({ sessionId: 'nope', content: 'hi' }).catch((caught) => caught),
    );
    expect(missing.code).toBe('NOT_FOUND');
    const badTitle = errorOf(
      await client.chat.renameSession
        .mutate({ sessionId: session.id, title: '' })
        .catch((caught) => caught),
    );
    expect(badTitle.code).toBe('BAD_REQUEST');

    expect(await client.chat.deleteSession.mutate({ sessionId: session.id })).toEqual({
      deleted: true,
    });
    expect(
      errorOf(
        await client.chat.getSession.query({ sessionId: session.id }).catch((caught) => caught),
      ).code,
    ).toBe('NOT_FOUND');
  });
});
