import type { ChatEvent } from '@sluice/shared';
import {
  createStreamConnection,
  defaultStreamConnectionSettings,
  type StreamConnection,
  type StreamConnectionSettings,
  type SubscriptionHandlers,
  type Timers,
} from '../../lib/stream-connection';
import type { ChatStreamStore } from './chat-stream-store';
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
 * Keeps one chat session's store up to date: the `chat.events` subscription while it works
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
