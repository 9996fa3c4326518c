import type { ChatEvent } from '@sluice/shared';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import type { Timers } from '../../lib/stream-connection';
import {
  type ChatStreamClient,
  type ChatSubscriptionHandlers,
  createChatStreamConnection,
} from './chat-stream';
import { createChatStreamStore } from './chat-stream-store';
import type { ChatSessionDetail } from './chat-types';

const unreachable = () => TRPCClientError.from(new TypeError('Failed to fetch'));
const notFound = () =>
  TRPCClientError.from({
    error: { message: 'No chat', code: -32004, data: { code: 'NOT_FOUND', httpStatus: 404 } },
  });

/** Timers that run only when the test moves the clock. */
function manualTimers() {
  let now = 0;
  let nextHandle = 1;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers & { advance(ms: number): Promise<void> } = {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = nextHandle++;
      pending.set(handle, { at: now + ms, callback });
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...pending.entries()]
          .filter(([, timer]) => timer.at <= end)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].callback();
        await flushPromises();
      }
      now = end;
      await flushPromises();
    },
  };
  return timers;
}

async function flushPromises(): Promise<void> {
  for (let index = 0; index < 5; index += 1) await Promise.resolve();
}

interface FakeSubscription {
  input: { sessionId: string; lastEventId?: string };
  handlers: ChatSubscriptionHandlers;
  closed: boolean;
}

function detail(content: string, status: 'generating' | 'completed'): ChatSessionDetail {
  return {
    session: {
      id: 's1',
      title: 'Chat',
      model: 'm',
      systemPrompt: '',
      character: '',
      userProfile: '',
      experiment: false,
      createdAt: '',
      updatedAt: '',
    },
    messages: [
      {
        id: 'u1',
        role: 'user',
        content: 'Q',
        status: null,
        reason: null,
        error: null,
        usage: null,
        stats: null,
        model: null,
        replyTo: null,
        artifactId: null,
        createdAt: '',
        completedAt: null,
      },
      {
        id: 'a1',
        role: 'assistant',
        content,
        status,
        reason: null,
        error: null,
        usage: null,
        stats: null,
        model: 'm',
        replyTo: 'u1',
        artifactId: null,
        createdAt: '',
        completedAt: null,
      },
    ],
    artifacts: [],
  };
}

interface FakeServer {
  content: string;
  status: 'generating' | 'completed';
  getCalls: number;
  /** What chat.getSession does: answer with the session, or throw this. */
  getError: (() => unknown) | null;
  subscriptions: FakeSubscription[];
  readonly latest: FakeSubscription;
  open(): FakeSubscription[];
  send(subscription: FakeSubscription, event: ChatEvent, id: string): void;
  write(text: string): void;
  connect(subscription?: FakeSubscription): void;
  fail(subscription?: FakeSubscription): void;
}

/** A server with one session whose reply `a1` grows as the test says. */
function fakeServer() {
  const subscriptions: FakeSubscription[] = [];
  const server: FakeServer = {
    content: '',
    status: 'generating',
    getCalls: 0,
    getError: null,
    subscriptions,
    get latest(): FakeSubscription {
      const latest = subscriptions.at(-1);
      if (!latest) throw new Error('no subscription');
      return latest;
    },
    open: (): FakeSubscription[] => subscriptions.filter((subscription) => !subscription.closed),
    send(subscription: FakeSubscription, event: ChatEvent, id: string): void {
      subscription.handlers.onData({ id, data: event });
    },
    write(text: string): void {
      server.content += text;
      for (const subscription of server.open()) {
        server.send(
          subscription,
          { type: 'text-delta', messageId: 'a1', text },
          `a1:${server.content.length}.1`,
        );
      }
    },
    connect(subscription: FakeSubscription = server.latest): void {
      subscription.handlers.onConnectionStateChange({ state: 'pending', error: null });
    },
    fail(subscription: FakeSubscription = server.latest): void {
      subscription.handlers.onConnectionStateChange({ state: 'connecting', error: unreachable() });
    },
  };
  const client: ChatStreamClient = {
    subscribe(input, handlers) {
      const subscription: FakeSubscription = { input, handlers, closed: false };
      subscriptions.push(subscription);
      return {
        unsubscribe() {
          subscription.closed = true;
        },
      };
    },
    async getSession() {
      server.getCalls += 1;
      if (server.getError) throw server.getError();
      return detail(server.content, server.status);
    },
  };
  return { server, client };
}

function setup(options: { lastEventId?: string } = {}) {
  const { server, client } = fakeServer();
  const timers = manualTimers();
  const store = createChatStreamStore({
    schedule: () => {},
    resume: options.lastEventId
      ? {
          lastEventId: options.lastEventId,
          message: {
            key: 'a1',
            id: 'a1',
            role: 'assistant',
            content: 'He',
            status: 'generating',
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
          },
        }
      : null,
  });
  const connection = createChatStreamConnection({ sessionId: 's1', store, client, timers });
  const content = () => {
    store.flush();
    return store.getSnapshot().messages.find((message) => message.id === 'a1')?.content;
  };
  return { server, client, timers, store, connection, content };
}

describe('createChatStreamConnection', () => {
  it('follows the session live and fills in the rest when it connects', async () => {
    const { server, store, connection, content } = setup();
    server.content = 'Hel';
    connection.start();
    expect(server.latest.input).toEqual({ sessionId: 's1' });
    server.send(
      server.latest,
      { type: 'snapshot', messageId: 'a1', status: 'generating', content: 'Hel' },
      'a1:3.1',
    );
    server.connect();
    await flushPromises();
    expect(server.getCalls).toBe(1);
    server.write('lo');
    expect(content()).toBe('Hello');
    store.flush();
    expect(store.getSnapshot().messages.map((message) => message.id)).toEqual(['u1', 'a1']);
    expect(store.getSnapshot().connection).toBe('live');
    connection.stop();
  });

  it('resumes from the saved event id', () => {
    const { server, connection, content } = setup({ lastEventId: 'a1:2.1' });
    server.content = 'He';
    connection.start();
    expect(server.latest.input).toEqual({ sessionId: 's1', lastEventId: 'a1:2.1' });
    server.write('llo');
    expect(content()).toBe('Hello');
    connection.stop();
  });

  it('subscribes again with the last event id after the subscription errors', async () => {
    const { server, timers, connection } = setup();
    connection.start();
    server.connect();
    server.content = 'ab';
    server.send(
      server.latest,
      { type: 'snapshot', messageId: 'a1', status: 'generating', content: 'ab' },
      'a1:2.1',
    );
    server.latest.handlers.onError(new Error('stream broke'));
    await timers.advance(500);
    expect(server.subscriptions).toHaveLength(2);
    expect(server.latest.input.lastEventId).toBe('a1:2.1');
    connection.stop();
  });

  it('polls chat.getSession when the subscription keeps failing, then goes live again', async () => {
    const { server, timers, store, connection, content } = setup();
    server.content = 'abc';
    connection.start();
    server.fail();
    server.fail();
    server.fail();
    await flushPromises();
    store.flush();
    expect(store.getSnapshot().connection).toBe('polling');
    expect(server.subscriptions[0]?.closed).toBe(true);
    expect(content()).toBe('abc');

    server.content = 'abcdef';
    await timers.advance(1_500);
    expect(content()).toBe('abcdef');
    // Polled text has no event id: the next subscription starts from a snapshot.
    expect(store.lastEventId).toBeNull();

    await timers.advance(10_000);
    const probe = server.latest;
    expect(probe.closed).toBe(false);
    expect(probe.input).toEqual({ sessionId: 's1' });
    server.connect(probe);
    await flushPromises();
    store.flush();
    expect(store.getSnapshot().connection).toBe('live');
    const calls = server.getCalls;
    await timers.advance(5_000);
    // No more polling once live.
    expect(server.getCalls).toBe(calls);
    connection.stop();
  });

  it('says offline when the server cannot be reached at all', async () => {
    const { server, store, connection } = setup();
    server.getError = unreachable;
    connection.start();
    server.fail();
    await flushPromises();
    store.flush();
    expect(store.getSnapshot().connection).toBe('offline');
    connection.stop();
  });

  it('stops and says so when the session does not exist', async () => {
    const { server, store, connection } = setup();
    connection.start();
    server.latest.handlers.onError(notFound());
    store.flush();
    expect(store.getSnapshot().notFound).toBe(true);
    expect(server.latest.closed).toBe(true);
    connection.stop();
  });
});
