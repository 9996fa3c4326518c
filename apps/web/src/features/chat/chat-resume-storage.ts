import type { ChatResumeState } from './chat-stream-store';

const keyPrefix = 'sluice:chat-stream:';
/** Keeps the storage small: the most recently saved sessions only. */
const maxSavedSessions = 20;

interface SavedEntry extends ChatResumeState {
  savedAt: number;
}

export interface ChatResumeStorage {
  load(sessionId: string): ChatResumeState | null;
  /** Null forgets the session (nothing to resume exactly: start from a snapshot). */
  save(sessionId: string, state: ChatResumeState | null): void;
}

function isSavedEntry(value: unknown): value is SavedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  const message = entry.message as Record<string, unknown> | null | undefined;
  return (
    typeof entry.lastEventId === 'string' &&
    typeof entry.savedAt === 'number' &&
    typeof message === 'object' &&
    message !== null &&
    typeof message.id === 'string' &&
    typeof message.key === 'string' &&
    message.role === 'assistant' &&
    typeof message.content === 'string' &&
    typeof message.status === 'string'
  );
}

function browserSessionStorage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    // Storage can be disabled (privacy settings); resuming then starts from a snapshot.
    return undefined;
  }
}

/**
 * Where a tab keeps, per chat session, the last event id together with the reply it points
 * into (its content so far), so a reload resumes exactly instead of starting over.
 */
export function createChatResumeStorage(
  storage: Storage | undefined = browserSessionStorage(),
  now: () => number = Date.now,
): ChatResumeStorage {
  function read(key: string): SavedEntry | null {
    try {
      const value: unknown = JSON.parse(storage?.getItem(key) ?? 'null');
      return isSavedEntry(value) ? value : null;
    } catch {
      return null;
    }
  }

  function savedKeys(): Array<{ key: string; savedAt: number }> {
    if (!storage) return [];
    const entries: Array<{ key: string; savedAt: number }> = [];
    for (let index = 0; index < storage.length; index += 1) {
      const key = storage.key(index);
      if (key?.startsWith(keyPrefix)) entries.push({ key, savedAt: read(key)?.savedAt ?? 0 });
    }
    return entries.sort((a, b) => b.savedAt - a.savedAt);
  }

  function prune(keep: number, except: string): void {
    for (const entry of savedKeys()
      .filter((saved) => saved.key !== except)
      .slice(keep)) {
      storage?.removeItem(entry.key);
    }
  }

  return {
    load(sessionId) {
      const entry = read(keyPrefix + sessionId);
      if (!entry) return null;
      return { lastEventId: entry.lastEventId, message: entry.message };
    },
    save(sessionId, state) {
      if (!storage) return;
      const key = keyPrefix + sessionId;
      if (state === null) {
        storage.removeItem(key);
        return;
      }
      const value = JSON.stringify({ ...state, savedAt: now() } satisfies SavedEntry);
      try {
        const isNew = storage.getItem(key) === null;
        storage.setItem(key, value);
        if (isNew) prune(maxSavedSessions - 1, key);
      } catch {
        // Full: make room by dropping the others, then try once more.
        prune(0, key);
        try {
          storage.setItem(key, value);
        } catch {
          storage.removeItem(key);
        }
      }
    },
  };
}
