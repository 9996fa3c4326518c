import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { trpc } from '../../lib/trpc';
import { type ChatResumeStorage, createChatResumeStorage } from './chat-resume-storage';
import {
  type ChatStreamClient,
  type ChatStreamConnection,
  createChatStreamConnection,
} from './chat-stream-connection';
import {
  type ChatStreamSnapshot,
  type ChatStreamStore,
  createChatStreamStore,
} from './chat-stream-store';

type TrpcClient = ReturnType<typeof trpc.useUtils>['client'];

/** How often, at most, a streaming reply's resume state is written to sessionStorage. */
const saveIntervalMs = 1_000;
/** Sessions kept in memory for going back and forth without a snapshot. */
const maxKeptSessions = 10;

export interface ChatStreamEntry {
  store: ChatStreamStore;
  connection: ChatStreamConnection;
  /** Starts following (once per holder); returns the release. */
  acquire(): () => void;
  save(): void;
  holders: number;
}

const entries = new Map<string, ChatStreamEntry>();
let resumeStorage: ChatResumeStorage | undefined;

function streamClient(client: TrpcClient): ChatStreamClient {
  return {
    subscribe(input, handlers) {
      return client.chat.events.subscribe(input, {
        onData: handlers.onData,
        onConnectionStateChange: handlers.onConnectionStateChange,
        onError: handlers.onError,
        onComplete: handlers.onComplete,
      });
    },
    getSession: (sessionId) => client.chat.getSession.query({ sessionId }),
  };
}

function saveAll(): void {
  for (const entry of entries.values()) entry.save();
}

function createEntry(sessionId: string, client: TrpcClient): ChatStreamEntry {
  resumeStorage ??= createChatResumeStorage();
  const storage = resumeStorage;
  const store = createChatStreamStore({ resume: storage.load(sessionId) });
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let stopTimer: ReturnType<typeof setTimeout> | undefined;
  let wasStreaming = store.streaming;

  function save(): void {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    storage.save(sessionId, store.resumeState());
  }

  const connection = createChatStreamConnection({
    sessionId,
    store,
    client: streamClient(client),
  });

  store.watch(() => {
    // Throttled: a write costs O(reply), so not per token. A reload saves first (pagehide).
    saveTimer ??= setTimeout(save, saveIntervalMs);
    const streaming = store.streaming;
    if (wasStreaming && !streaming) {
      // A reply ended: save at once, and fetch what the server stored with it (timings).
      save();
      void connection.refresh();
    }
    wasStreaming = streaming;
  });

  const entry: ChatStreamEntry = {
    store,
    connection,
    holders: 0,
    save,
    acquire() {
      entry.holders += 1;
      clearTimeout(stopTimer);
      connection.start();
      void connection.refresh();
      return () => {
        entry.holders -= 1;
        // Deferred, so a remount (React's strict mode, a quick way back) keeps the stream.
        if (entry.holders === 0) {
          stopTimer = setTimeout(() => {
            if (entry.holders > 0) return;
            connection.stop();
            save();
          }, 0);
        }
      };
    },
  };
  return entry;
}

function chatStreamEntry(sessionId: string, client: TrpcClient): ChatStreamEntry {
  const existing = entries.get(sessionId);
  if (existing) {
    // Most recently used last.
    entries.delete(sessionId);
    entries.set(sessionId, existing);
    return existing;
  }
  if (entries.size === 0 && typeof window !== 'undefined') {
    // A reload or a tab put away saves first, so the next load resumes exactly.
    window.addEventListener('pagehide', saveAll);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') saveAll();
    });
  }
  const entry = createEntry(sessionId, client);
  entries.set(sessionId, entry);
  for (const [id, kept] of entries) {
    if (entries.size <= maxKeptSessions) break;
    if (kept.holders === 0) entries.delete(id);
  }
  return entry;
}

/** Forgets a deleted session's stream (and what this tab saved to resume it). */
export function forgetChatStream(sessionId: string): void {
  const entry = entries.get(sessionId);
  entry?.connection.stop();
  entries.delete(sessionId);
  resumeStorage?.save(sessionId, null);
}

/**
 * Follows one chat session: resumes from what this tab already has (memory, or
 * sessionStorage after a reload) and re-renders at most once per animation frame.
 */
export function useChatStream(sessionId: string): {
  stream: ChatStreamSnapshot;
  entry: ChatStreamEntry;
} {
  const { client } = trpc.useUtils();
  // The entry outlives the component: going back to a session resumes where it was.
  // One entry per session, with whichever client asked first.
  const entry = useMemo(() => chatStreamEntry(sessionId, client), [sessionId]);
  useEffect(() => entry.acquire(), [entry]);
  const stream = useSyncExternalStore(entry.store.subscribe, entry.store.getSnapshot);
  return { stream, entry };
}
