import { createResumeStorage, type ResumeStorage } from '../../lib/resume-storage';
import type { ChatMessage, ChatResumeState } from './chat-stream-store';

export type ChatResumeStorage = ResumeStorage<ChatResumeState>;

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

/**
 * Where a tab keeps, per chat session, the last event id together with the reply it points
 * into (its content so far), so a reload resumes exactly instead of starting over.
 */
export function createChatResumeStorage(storage?: Storage, now?: () => number): ChatResumeStorage {
  return createResumeStorage({
    keyPrefix: 'sluice:chat-stream:',
    maxSaved: 20,
    parse: parseChatResumeState,
    storage,
    now,
  });
}
