import type { ChatEvent } from '@sluice/shared';
import { createKeptStream, type KeptStreamKind } from '../../lib/kept-stream';
import { createResumeStorage, type ResumeStorage } from '../../lib/resume-storage';
import {
  createStreamConnection,
  defaultStreamConnectionSettings,
  type StreamConnection,
  type StreamConnectionSettings,
  type SubscriptionHandlers,
  type Timers,
} from '../../lib/stream-connection';
import { applySessionUpdate } from './apply-session-update';
import {
  type ChatMessage,
  type ChatResumeState,
  type ChatStreamSnapshot,
  type ChatStreamStore,
  createChatStreamStore,
} from './chat-stream-store';
import type { ChatSessionDetail, ChatSessionView } from './chat-types';

export type ChatSubscriptionHandlers = SubscriptionHandlers<ChatEvent>;

/** The two calls the session needs, so tests can pass a fake server. */
export interface ChatStreamClient {
  subscribe(
    input: { sessionId: string; lastEventId?: string },
    handlers: ChatSubscriptionHandlers,
  ): { unsubscribe(): void };
  getSession(sessionId: string): Promise<ChatSessionDetail>;
}

export interface ChatStreamConnectionSettings extends StreamConnectionSettings {
  /** While polling and no reply is being written, how often to ask (another tab may start one). */
  idlePollIntervalMs: number;
}

export const defaultChatStreamConnectionSettings: ChatStreamConnectionSettings = {
  ...defaultStreamConnectionSettings,
  idlePollIntervalMs: 5_000,
};

export interface ChatStreamConnectionOptions {
  sessionId: string;
  store: ChatStreamStore;
  client: ChatStreamClient;
  timers?: Timers;
  settings?: Partial<ChatStreamConnectionSettings>;
  /**
   * The session as the server has it, each time it says: a `session-updated` event (another
   * tab renamed it, its first message named it) and every `chat.getSession` answer (each
   * reconnect fetches one, so a change made while away arrives too).
   */
  onSession?: (session: ChatSessionView) => void;
}

/** `refresh` asks for the session once and merges it (after a send that attached, after an end). */
export type ChatStreamConnection = StreamConnection;

/**
 * Keeps one chat session's store up to date: its channel of the shared connection while it works
 * (it never ends; the link itself reconnects with the last event id), polling
 * `chat.getSession` when it cannot connect or keeps dropping, and trying to go live again in
 * the background. Each time the subscription connects, one `chat.getSession` fills in what
 * happened while it was away (replies that ended, other tabs' turns).
 */
export function createChatStreamConnection(
  options: ChatStreamConnectionOptions,
): ChatStreamConnection {
  const { sessionId, store, client, onSession } = options;
  const settings = { ...defaultChatStreamConnectionSettings, ...options.settings };
  return createStreamConnection<ChatEvent, ChatSessionDetail>({
    store,
    subscribe: (lastEventId, handlers) =>
      client.subscribe(lastEventId ? { sessionId, lastEventId } : { sessionId }, {
        ...handlers,
        onData(message) {
          if (message.data.type === 'session-updated') onSession?.(message.data.session);
          handlers.onData(message);
        },
      }),
    fetch: async () => {
      const view = await client.getSession(sessionId);
      onSession?.(view.session);
      return view;
    },
    applyPolled: (view) => store.applySession(view, 'replace'),
    // The stream stays the source of the replies it is writing.
    merge: (view) => store.applySession(view, 'merge'),
    // A reply's first event starts its text, as a snapshot does.
    startsOver: (event) => event.type === 'snapshot' || event.type === 'message-start',
    pollIntervalMs: () => (store.streaming ? settings.pollIntervalMs : settings.idlePollIntervalMs),
    timers: options.timers,
    settings,
  });
}

function parseChatResumeState(saved: Record<string, unknown>): ChatResumeState | null {
  const { lastEventId } = saved;
  const message = saved.message as Record<string, unknown> | null | undefined;
  const valid =
    typeof lastEventId === 'string' &&
    typeof message === 'object' &&
    message !== null &&
    typeof message.id === 'string' &&
    typeof message.key === 'string' &&
    message.role === 'assistant' &&
    typeof message.content === 'string' &&
    typeof message.status === 'string';
  return valid ? { lastEventId, message: message as unknown as ChatMessage } : null;
}

export type ChatResumeStorage = ResumeStorage<ChatResumeState>;

/**
 * Where a tab keeps, per chat session, the last event id together with the reply it points
 * into (its content so far), so a reload resumes exactly instead of starting over.
 */
export function createChatResumeStorage(storage?: Storage, now?: () => number): ChatResumeStorage {
  return createResumeStorage({
    keyPrefix: 'sluice:chat-stream:',
    maxSaved: chatStreamKind.maxSaved,
    parse: parseChatResumeState,
    storage,
    now,
  });
}

export const chatStreamKind: KeptStreamKind<ChatStreamStore, ChatStreamSnapshot, ChatResumeState> =
  {
    kind: 'chat',
    maxKept: 10,
    maxSaved: 20,
    saveIntervalMs: 1_000,
    parseResume: parseChatResumeState,
    createStore: (resume) => createChatStreamStore({ resume }),
    resumeState: (store) => store.resumeState(),
    connect: ({ id, store, client, queryClient, subscribe }) =>
      createChatStreamConnection({
        sessionId: id,
        store,
        client: {
          subscribe: (input, handlers) =>
            subscribe(
              input.sessionId,
              input.lastEventId ?? null,
              handlers as SubscriptionHandlers<unknown>,
            ),
          getSession: (sessionId) => client.chat.getSession.query({ sessionId }),
        },
        onSession: (session) => applySessionUpdate(queryClient, session),
      }),
    created(entry) {
      const { store, connection } = entry;
      let wasStreaming = store.streaming;
      store.watch(() => {
        const streaming = store.streaming;
        if (wasStreaming && !streaming) {
          // A reply ended: save at once, and fetch what the server stored with it (timings).
          entry.save();
          void connection.refresh();
        }
        wasStreaming = streaming;
      });
    },
    acquired: (entry) => void entry.connection.refresh(),
  };

const chatStream = createKeptStream(chatStreamKind);

export type ChatStreamEntry = ReturnType<typeof chatStream.use>['entry'];

/** Forgets a deleted session's stream (and what this tab saved to resume it). */
export function forgetChatStream(sessionId: string): void {
  chatStream.forget(sessionId);
}

/**
 * Follows one chat session: resumes from what this tab already has (memory, or
 * sessionStorage after a reload) and re-renders at most once per animation frame.
 */
export function useChatStream(sessionId: string): {
  stream: ChatStreamSnapshot;
  entry: ChatStreamEntry;
} {
  return chatStream.use(sessionId);
}
