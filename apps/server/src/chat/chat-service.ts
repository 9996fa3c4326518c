import type { SessionUpdatedEvent } from '@sluice/shared';
import type { EventBus } from '../generation/event-bus';
import { createChatSessions } from './chat-sessions';
import { type ChatTurnsDependencies, createChatTurns } from './chat-turns';

export { chatTopic } from './chat-sessions';
export type { ChatArtifactView, ChatMessageView, ChatSessionView } from './chat-views';

export type ChatServiceDependencies = Omit<ChatTurnsDependencies, 'sessions'> & {
  /** Session changes (`session-updated`) for every `chat.events` subscriber of the session. */
  sessionBus: EventBus<SessionUpdatedEvent>;
};

/** Chat as the API sees it: sessions (and their settings, artifacts) and their turns. */
export function createChatService(dependencies: ChatServiceDependencies) {
  const sessions = createChatSessions({
    ...dependencies,
    defaultModel: dependencies.config.defaultModel,
  });
  const turns = createChatTurns({ ...dependencies, sessions });
  const { requireSession, nameAfterFirstMessage, ...api } = sessions;
  return { ...api, ...turns };
}

export type ChatService = ReturnType<typeof createChatService>;
