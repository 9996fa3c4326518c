import type { ChatEvent } from '@sluice/shared';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { applySessionUpdate } from './apply-session-update';
import {
  type ChatStreamClient,
  type ChatSubscriptionHandlers,
  createChatStreamConnection,
} from './chat-stream';
import { createChatStreamStore } from './chat-stream-store';
import type { ChatSessionDetail, ChatSessionView } from './chat-types';

function sessionView(fields: Partial<ChatSessionView> = {}): ChatSessionView {
  return {
    id: 's1',
    title: 'New chat',
    model: 'sluice/simulator',
    systemPrompt: '',
    character: '',
    userProfile: '',
    experiment: false,
    createdAt: '2026-05-10T12:00:00.000Z',
    updatedAt: '2026-05-10T12:00:00.000Z',
    ...fields,
  };
}

const other = sessionView({ id: 's2', title: 'Other chat' });

// The keys @trpc/react-query gives `chat.getSession.useQuery` and `chat.listSessions.useQuery`.
const getSessionKey = (sessionId: string) => [
  ['chat', 'getSession'],
  { input: { sessionId }, type: 'query' },
];
const listKey = [['chat', 'listSessions'], { input: { limit: 100 }, type: 'query' }];

function cachedQueries(session: ChatSessionView) {
  const queryClient = new QueryClient();
  queryClient.setQueryData<ChatSessionDetail>(getSessionKey(session.id), {
    session,
    messages: [],
    artifacts: [],
  });
  queryClient.setQueryData<ChatSessionView[]>(listKey, [other, session]);
  return queryClient;
}

const renamed = sessionView({ title: 'Juggling', updatedAt: '2026-05-10T12:00:05.000Z' });

describe('applySessionUpdate', () => {
  it('shows a renamed session in the heading query and the session list, and refetches the list', () => {
    const queryClient = cachedQueries(sessionView());
    applySessionUpdate(queryClient, renamed);

    expect(queryClient.getQueryData<ChatSessionDetail>(getSessionKey('s1'))?.session).toEqual(
      renamed,
    );
    expect(queryClient.getQueryData<ChatSessionView[]>(listKey)).toEqual([other, renamed]);
    // Its order follows activity: the list is fetched again.
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(true);
    // Another session's query is untouched.
    expect(queryClient.getQueryData(getSessionKey('s2'))).toBeUndefined();
  });

  it('keeps what the cache has when the update is older or the same', () => {
    const queryClient = cachedQueries(renamed);
    applySessionUpdate(queryClient, sessionView());
    applySessionUpdate(queryClient, renamed);

    expect(queryClient.getQueryData<ChatSessionDetail>(getSessionKey('s1'))?.session.title).toBe(
      'Juggling',
    );
    expect(queryClient.getQueryData<ChatSessionView[]>(listKey)).toEqual([other, renamed]);
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(false);
  });
});

describe('a chat stream connection passes the session on', () => {
  function setup() {
    const sessions: ChatSessionView[] = [];
    const subscriptions: ChatSubscriptionHandlers[] = [];
    const client: ChatStreamClient = {
      subscribe(_input, handlers) {
        subscriptions.push(handlers);
        return { unsubscribe() {} };
      },
      getSession: async () => ({ session: renamed, messages: [], artifacts: [] }),
    };
    const store = createChatStreamStore({ schedule: () => {} });
    const connection = createChatStreamConnection({
      sessionId: 's1',
      store,
      client,
      onSession: (session) => sessions.push(session),
    });
    connection.start();
    const handlers = subscriptions[0];
    if (!handlers) throw new Error('not subscribed');
    return { sessions, store, connection, handlers };
  }

  it('hands a session-updated event to onSession and leaves the conversation as it was', () => {
    const { sessions, store, connection, handlers } = setup();
    const start: ChatEvent = {
      type: 'message-start',
      messageId: 'a1',
      userMessage: { id: 'u1', content: 'Juggling?', createdAt: '2026-05-10T12:00:01.000Z' },
    };
    handlers.onData({ id: 'a1:0.1', data: start });
    store.flush();
    const before = store.getSnapshot();

    handlers.onData({
      id: 'a1:0.1',
      data: { type: 'session-updated', messageId: null, session: renamed },
    });
    store.flush();

    expect(sessions).toEqual([renamed]);
    expect(store.getSnapshot().messages).toBe(before.messages);
    expect(store.lastEventId).toBe('a1:0.1');
    connection.stop();
  });

  it('hands the session of every chat.getSession answer (each reconnect) to onSession', async () => {
    const { sessions, connection, handlers } = setup();
    handlers.onConnectionStateChange({ state: 'pending', error: null });
    await connection.refresh();
    expect(sessions).toEqual([renamed, renamed]);
    connection.stop();
  });
});
