import type { ChatEvent, TerminalGenerationStatus } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { type ChatStreamStore, createChatStreamStore } from './chat-stream-store';
import type { ChatMessageView, ChatSessionDetail } from './chat-types';

/** Publishes only on flush(), so tests see exactly what a frame would. */
function store(options: Parameters<typeof createChatStreamStore>[0] = {}): ChatStreamStore {
  return createChatStreamStore({ schedule: () => {}, ...options });
}

function snapshotOf(chat: ChatStreamStore) {
  chat.flush();
  return chat.getSnapshot();
}

const reply = 'Here is **how**:\n\n- one\n- two\n\n```ts\nconst a = "ü→𝄞";\n```\nDone.';

/** The events of one reply, ids as the server numbers them. */
function replyEvents(options: {
  messageId: string;
  user: { id: string; content: string };
  pieces: string[];
  status?: TerminalGenerationStatus;
}): Array<{ id: string; event: ChatEvent }> {
  const { messageId } = options;
  let offset = 0;
  let count = 0;
  const events: Array<{ id: string; event: ChatEvent }> = [];
  const push = (event: ChatEvent) => {
    if (event.type === 'text-delta') offset += event.text.length;
    else count += 1;
    events.push({ id: `${messageId}:${offset}.${count}`, event });
  };
  push({
    type: 'message-start',
    messageId,
    userMessage: { ...options.user, createdAt: '2026-05-10T12:00:00.000Z' },
  });
  for (const text of options.pieces) push({ type: 'text-delta', messageId, text });
  push({ type: 'usage', messageId, inputTokens: 12, outputTokens: 34, cost: 0.0001 });
  push({ type: 'end', messageId, status: options.status ?? 'completed' });
  return events;
}

function messageView(fields: Partial<ChatMessageView> & Pick<ChatMessageView, 'id' | 'role'>) {
  return {
    content: '',
    status: fields.role === 'assistant' ? 'completed' : null,
    reason: null,
    error: null,
    usage: null,
    stats: null,
    model: null,
    replyTo: null,
    artifactId: null,
    createdAt: '2026-05-10T12:00:00.000Z',
    completedAt: null,
    ...fields,
  } as ChatMessageView;
}

function sessionDetail(
  messages: ChatMessageView[],
  artifacts: ChatSessionDetail['artifacts'] = [],
): ChatSessionDetail {
  return {
    session: {
      id: 's1',
      title: 'Chat',
      model: 'sluice/simulator',
      systemPrompt: '',
      character: '',
      userProfile: '',
      experiment: false,
      createdAt: '2026-05-10T12:00:00.000Z',
      updatedAt: '2026-05-10T12:00:00.000Z',
    },
    messages,
    artifacts,
  };
}

/** Every way to cut `text` in two or three pieces (and one piece per character). */
function splits(text: string): string[][] {
  const result: string[][] = [[text], Array.from(text)];
  for (let first = 1; first < text.length; first += 1) {
    result.push([text.slice(0, first), text.slice(first)]);
    const second = Math.min(text.length - 1, first + 7);
    if (second > first) {
      result.push([text.slice(0, first), text.slice(first, second), text.slice(second)]);
    }
  }
  return result;
}

describe('createChatStreamStore', () => {
  it('builds a reply from its events: message-start, deltas appended, usage and end', () => {
    const chat = store();
    for (const { id, event } of replyEvents({
      messageId: 'a1',
      user: { id: 'u1', content: 'Hi' },
      pieces: ['Hel', 'lo', '!'],
    })) {
      chat.apply(id, event);
    }
    const snapshot = snapshotOf(chat);
    expect(snapshot.messages.map((message) => [message.role, message.id, message.content])).toEqual(
      [
        ['user', 'u1', 'Hi'],
        ['assistant', 'a1', 'Hello!'],
      ],
    );
    const [, assistant] = snapshot.messages;
    expect(assistant?.status).toBe('completed');
    expect(assistant?.replyTo).toBe('u1');
    expect(assistant?.usage).toEqual({ inputTokens: 12, outputTokens: 34, cost: 0.0001 });
    expect(snapshot.streamingMessageId).toBeNull();
    expect(chat.lastEventId).toBe('a1:6.3');
  });

  it('gives the same messages for any split of the same text', () => {
    const expected = snapshotOf(
      (() => {
        const chat = store();
        for (const { id, event } of replyEvents({
          messageId: 'a1',
          user: { id: 'u1', content: 'Q' },
          pieces: [reply],
        })) {
          chat.apply(id, event);
        }
        return chat;
      })(),
    ).messages;
    for (const pieces of splits(reply)) {
      const chat = store();
      for (const { id, event } of replyEvents({
        messageId: 'a1',
        user: { id: 'u1', content: 'Q' },
        pieces,
      })) {
        chat.apply(id, event);
      }
      expect(snapshotOf(chat).messages).toEqual(expected);
      expect(chat.lastEventId).toBe(`a1:${reply.length}.3`);
    }
  });

  it('replaces a reply with a snapshot, then appends to it', () => {
    const chat = store();
    chat.apply('a1:3.1', {
      type: 'snapshot',
      messageId: 'a1',
      status: 'generating',
      content: 'abc',
    });
    chat.apply('a1:5.1', { type: 'text-delta', messageId: 'a1', text: 'de' });
    expect(snapshotOf(chat).messages[0]?.content).toBe('abcde');
    chat.apply('a1:4.1', {
      type: 'snapshot',
      messageId: 'a1',
      status: 'generating',
      content: 'WXYZ',
    });
    const snapshot = snapshotOf(chat);
    expect(snapshot.messages[0]?.content).toBe('WXYZ');
    expect(snapshot.streamingMessageId).toBe('a1');
  });

  it('shows the optimistic message at once and reconciles it with message-start', () => {
    const chat = store();
    chat.addOptimistic({ clientRequestId: 'r1', content: 'Hello there' });
    const before = snapshotOf(chat).messages;
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ role: 'user', pending: true, content: 'Hello there' });
    const key = before[0]?.key;

    // The stream can beat the mutation's answer.
    chat.apply('a1:0.1', {
      type: 'message-start',
      messageId: 'a1',
      userMessage: { id: 'u1', content: 'Hello there', createdAt: '2026-05-10T12:00:00.000Z' },
    });
    chat.confirmSend('r1', { userMessageId: 'u1', messageId: 'a1', artifactId: null });
    const after = snapshotOf(chat).messages;
    expect(after.map((message) => [message.id, message.role, message.pending])).toEqual([
      ['u1', 'user', false],
      ['a1', 'assistant', false],
    ]);
    // Same element: the message does not flash when confirmed.
    expect(after[0]?.key).toBe(key);
  });

  it('reconciles by the send answer when it comes first, with a placeholder reply', () => {
    const chat = store();
    chat.addOptimistic({ clientRequestId: 'r1', content: 'Hi' });
    chat.confirmSend('r1', { userMessageId: 'u1', messageId: 'a1', artifactId: 'x1' });
    let messages = snapshotOf(chat).messages;
    expect(messages.map((message) => [message.id, message.pending, message.status])).toEqual([
      ['u1', false, null],
      ['a1', false, 'generating'],
    ]);
    chat.apply('a1:0.1', {
      type: 'message-start',
      messageId: 'a1',
      userMessage: { id: 'u1', content: 'Hi', createdAt: '2026-05-10T12:00:00.000Z' },
      artifactId: 'x1',
    });
    chat.apply('a1:2.1', { type: 'text-delta', messageId: 'a1', text: 'Yo' });
    messages = snapshotOf(chat).messages;
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ id: 'a1', content: 'Yo', artifactId: 'x1' });
  });

  it("shows another tab's message from message-start", () => {
    const chat = store();
    chat.apply('a1:0.1', {
      type: 'message-start',
      messageId: 'a1',
      userMessage: { id: 'u9', content: 'From elsewhere', createdAt: '2026-05-10T12:00:00.000Z' },
    });
    expect(
      snapshotOf(chat).messages.map((message) => [message.id, message.role, message.content]),
    ).toEqual([
      ['u9', 'user', 'From elsewhere'],
      ['a1', 'assistant', ''],
    ]);
  });

  it('keeps a send that got no answer, with its failure, then retries it', () => {
    const chat = store();
    chat.addOptimistic({ clientRequestId: 'r1', content: 'Hi' });
    chat.failSend('r1', { message: 'offline', network: true });
    expect(snapshotOf(chat).messages[0]).toMatchObject({
      pending: true,
      sendFailure: { message: 'offline', network: true },
    });
    chat.failSend('r1', null);
    chat.confirmSend('r1', { userMessageId: 'u1', messageId: 'a1', artifactId: null });
    expect(snapshotOf(chat).messages[0]).toMatchObject({ id: 'u1', sendFailure: null });
    chat.addOptimistic({ clientRequestId: 'r2', content: 'Again' });
    chat.removeOptimistic('r2');
    expect(snapshotOf(chat).messages.map((message) => message.id)).toEqual(['u1', 'a1']);
  });

  it('loads the session, and keeps the live reply it is streaming on a merge', () => {
    const chat = store();
    chat.apply('a2:5.1', {
      type: 'snapshot',
      messageId: 'a2',
      status: 'generating',
      content: 'Strea',
    });
    chat.applySession(
      sessionDetail([
        messageView({ id: 'u1', role: 'user', content: 'First' }),
        messageView({ id: 'a1', role: 'assistant', content: 'Done.', replyTo: 'u1' }),
        messageView({ id: 'u2', role: 'user', content: 'Second' }),
        messageView({ id: 'a2', role: 'assistant', content: 'Str', status: 'generating' }),
      ]),
      'merge',
    );
    const snapshot = snapshotOf(chat);
    expect(snapshot.loaded).toBe(true);
    expect(snapshot.messages.map((message) => [message.id, message.content])).toEqual([
      ['u1', 'First'],
      ['a1', 'Done.'],
      ['u2', 'Second'],
      ['a2', 'Strea'],
    ]);
    expect(chat.lastEventId).toBe('a2:5.1');
  });

  it("takes the server's finished reply, and ignores the rest of its stream then", () => {
    const chat = store({
      resume: {
        lastEventId: 'a1:2.1',
        message: restoredReply('a1', 'He'),
      },
    });
    chat.applySession(
      sessionDetail([
        messageView({ id: 'u1', role: 'user', content: 'Q' }),
        messageView({ id: 'a1', role: 'assistant', content: 'Hello', replyTo: 'u1' }),
      ]),
      'merge',
    );
    // The resumed stream's tail repeats what the server already gave.
    chat.apply('a1:5.1', { type: 'text-delta', messageId: 'a1', text: 'llo' });
    chat.apply('a1:5.2', { type: 'end', messageId: 'a1', status: 'completed' });
    expect(snapshotOf(chat).messages.map((message) => message.content)).toEqual(['Q', 'Hello']);
  });

  it("replaces a live reply's text when polling, and forgets the event id", () => {
    const chat = store();
    chat.apply('a1:2.1', {
      type: 'snapshot',
      messageId: 'a1',
      status: 'generating',
      content: 'ab',
    });
    chat.applySession(
      sessionDetail([
        messageView({ id: 'a1', role: 'assistant', content: 'abcd', status: 'generating' }),
      ]),
      'replace',
    );
    expect(snapshotOf(chat).messages[0]?.content).toBe('abcd');
    expect(chat.lastEventId).toBeNull();
    expect(chat.pollReplacements).toBe(1);
  });

  it('adopts an optimistic message that a poll shows saved', () => {
    const chat = store();
    chat.applySession(sessionDetail([]), 'replace');
    chat.addOptimistic({ clientRequestId: 'r1', content: 'Hi' });
    chat.applySession(
      sessionDetail([
        messageView({ id: 'u1', role: 'user', content: 'Hi' }),
        messageView({ id: 'a1', role: 'assistant', content: 'Y', status: 'generating' }),
      ]),
      'replace',
    );
    const messages = snapshotOf(chat).messages;
    expect(messages.map((message) => [message.id, message.pending])).toEqual([
      ['u1', false],
      ['a1', false],
    ]);
    expect(messages[0]?.key).toBe('pending:r1');
  });

  it('saves and restores the resume state: the last event id and its reply', () => {
    const chat = store();
    for (const { id, event } of replyEvents({
      messageId: 'a1',
      user: { id: 'u1', content: 'Q' },
      pieces: ['Hel', 'lo'],
    }).slice(0, 3)) {
      chat.apply(id, event);
    }
    const saved = chat.resumeState();
    expect(saved).toMatchObject({ lastEventId: 'a1:5.1', message: { id: 'a1', content: 'Hello' } });
    const restored = store({ resume: JSON.parse(JSON.stringify(saved)) });
    expect(restored.lastEventId).toBe('a1:5.1');
    restored.apply('a1:6.1', { type: 'text-delta', messageId: 'a1', text: '!' });
    expect(snapshotOf(restored).messages[0]).toMatchObject({
      id: 'a1',
      content: 'Hello!',
      status: 'generating',
    });
    expect(store().resumeState()).toBeNull();
  });

  it('counts artifact-end events and keeps artifacts from the session and getArtifact', () => {
    const chat = store();
    chat.apply('a1:0.1', {
      type: 'message-start',
      messageId: 'a1',
      userMessage: { id: 'u1', content: 'Q', createdAt: '2026-05-10T12:00:00.000Z' },
      artifactId: 'x1',
    });
    chat.apply('a1:0.2', { type: 'artifact-start', messageId: 'a1', artifactId: 'x1' });
    chat.apply('a1:0.3', {
      type: 'artifact-end',
      messageId: 'a1',
      artifactId: 'x1',
      title: 'Balls',
    });
    let snapshot = snapshotOf(chat);
    expect(snapshot.artifactEnd).toEqual({ artifactId: 'x1', title: 'Balls', sequence: 1 });
    expect(snapshot.messages[1]?.artifactTitle).toBe('Balls');
    chat.setArtifact({ id: 'x1', messageId: 'a1', title: 'Balls', html: '<p>hi</p>' });
    // A later answer without the html (not saved then) keeps what we have.
    chat.applySession(
      sessionDetail([], [{ id: 'x1', messageId: 'a1', title: 'Balls', html: null }]),
      'merge',
    );
    snapshot = snapshotOf(chat);
    expect(snapshot.artifacts.get('x1')?.html).toBe('<p>hi</p>');
  });

  it('publishes at most once per frame, reusing unchanged messages', () => {
    const frames: Array<() => void> = [];
    const chat = createChatStreamStore({ schedule: (publish) => frames.push(publish) });
    let publications = 0;
    chat.subscribe(() => {
      publications += 1;
    });
    for (const { id, event } of replyEvents({
      messageId: 'a1',
      user: { id: 'u1', content: 'Q' },
      pieces: ['a', 'b', 'c'],
    }).slice(0, 3)) {
      chat.apply(id, event);
    }
    expect(frames).toHaveLength(1);
    frames.shift()?.();
    expect(publications).toBe(1);
    const first = chat.getSnapshot();
    chat.apply('a1:3.1', { type: 'text-delta', messageId: 'a1', text: 'c' });
    frames.shift()?.();
    const second = chat.getSnapshot();
    expect(second.messages[0]).toBe(first.messages[0]);
    expect(second.messages[1]).not.toBe(first.messages[1]);
  });
});

function restoredReply(id: string, content: string) {
  return {
    key: id,
    id,
    role: 'assistant' as const,
    content,
    status: 'generating' as const,
    reason: null,
    error: null,
    usage: null,
    stats: null,
    model: null,
    replyTo: 'u1',
    artifactId: null,
    artifactTitle: null,
    createdAt: null,
    pending: false,
    clientRequestId: null,
    sendFailure: null,
  };
}
