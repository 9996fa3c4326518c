import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { createKeptStreams } from '../../lib/kept-streams';
import { createStreamEntry, type StreamEntry } from '../../lib/stream-entry';
import { trpc } from '../../lib/trpc';
import { applySessionUpdate } from './apply-session-update';
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

export type ChatStreamEntry = StreamEntry<ChatStreamStore, ChatStreamConnection>;

const keptSessions = createKeptStreams<ChatStreamEntry>(maxKeptSessions);
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

function createEntry(
  sessionId: string,
  client: TrpcClient,
  queryClient: QueryClient,
): ChatStreamEntry {
  resumeStorage ??= createChatResumeStorage();
  const storage = resumeStorage;
  const store = createChatStreamStore({ resume: storage.load(sessionId) });
  const connection = createChatStreamConnection({
    sessionId,
    store,
    client: streamClient(client),
    onSession: (session) => applySessionUpdate(queryClient, session),
  });
  const entry = createStreamEntry({
    store,
    connection,
    write: () => storage.save(sessionId, store.resumeState()),
    saveIntervalMs,
    onAcquire: () => void connection.refresh(),
  });

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
  return entry;
}

/** Forgets a deleted session's stream (and what this tab saved to resume it). */
export function forgetChatStream(sessionId: string): void {
  keptSessions.remove(sessionId)?.connection.stop();
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
  const queryClient = useQueryClient();
  // The entry outlives the component: going back to a session resumes where it was.
  // One entry per session, with whichever client asked first.
  const entry = useMemo(
    () => keptSessions.get(sessionId, () => createEntry(sessionId, client, queryClient)),
    [sessionId],
  );
  useEffect(() => entry.acquire(), [entry]);
  const stream = useSyncExternalStore(entry.store.subscribe, entry.store.getSnapshot);
  return { stream, entry };
}
