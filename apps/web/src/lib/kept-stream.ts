import type { StreamChannelKind } from '@sluice/shared';
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { SnapshotSource } from './frame-store';
import { createResumeStorage, type ResumeStorage } from './resume-storage';
import { sharedConnection } from './shared-connection/shared-connection';
import type { StreamConnection, SubscriptionHandlers } from './stream-connection';
import { trpc } from './trpc';

export type TrpcClient = ReturnType<typeof trpc.useUtils>['client'];

/** Opens one channel of the shared connection, from `lastEventId`. */
export type ChannelSubscribe<TEvent> = (
  id: string,
  lastEventId: string | null,
  handlers: SubscriptionHandlers<TEvent>,
) => { unsubscribe(): void };

/** What a kept stream's feature provides: its store, its resume state, its connection. */
export interface KeptStreamKind<
  TStore extends SnapshotSource<TSnapshot>,
  TSnapshot,
  TResume extends object,
> {
  /** The channel kind on `stream.watch`. */
  kind: StreamChannelKind;
  /** Streams kept in memory for going back and forth without a snapshot. */
  maxKept: number;
  /** Resume states kept in sessionStorage (the most recently saved). */
  maxSaved: number;
  /** How often, at most, a streaming resume state is written to sessionStorage. */
  saveIntervalMs: number;
  /** The resume state in what was saved, or null when it is not one. */
  parseResume(saved: Record<string, unknown>): TResume | null;
  createStore(resume: TResume | null): TStore;
  /** The state to write: null forgets it, undefined writes nothing. */
  resumeState(store: TStore): TResume | null | undefined;
  /** Keeps the store up to date from the shared connection (and polling when it fails). */
  connect(context: KeptStreamContext<TStore>): StreamConnection;
  /** Once the entry exists: feature-specific reactions (a chat reply ended: save, refresh). */
  created?(entry: KeptStreamEntry<TStore>, context: KeptStreamContext<TStore>): void;
  /** Each time a page starts following it. */
  acquired?(entry: KeptStreamEntry<TStore>): void;
}

export interface KeptStreamContext<TStore> {
  id: string;
  store: TStore;
  client: TrpcClient;
  queryClient: QueryClient;
  subscribe: ChannelSubscribe<unknown>;
  /** Writes the resume state now (an end is saved at once). */
  save(): void;
}

/** One stream a tab follows: kept while a page shows it, and a while after. */
export interface KeptStreamEntry<TStore, TConnection = StreamConnection> {
  store: TStore;
  connection: TConnection;
  /** Starts following (once per holder); returns the release. */
  acquire(): () => void;
  save(): void;
  holders: number;
}

export interface KeptStream<TStore, TSnapshot, TResume> {
  /** Follows `id` in a component: the entry outlives it, and the snapshot re-renders per frame. */
  use(id: string): { stream: TSnapshot; entry: KeptStreamEntry<TStore> };
  /** Stops following `id` and forgets what this tab saved to resume it. */
  forget(id: string): void;
  /** Where the resume states live (sessionStorage). */
  resumeStorage(): ResumeStorage<TResume>;
}

/** Keeps `create`'s entries: the most recently used `maxKept`, and any a page holds. */
export function createKeptEntries<TEntry extends { save(): void; readonly holders: number }>(
  maxKept: number,
) {
  const entries = new Map<string, TEntry>();
  function saveAll(): void {
    for (const entry of entries.values()) entry.save();
  }
  return {
    get(id: string, create: () => TEntry): TEntry {
      const existing = entries.get(id);
      if (existing) {
        // Most recently used last.
        entries.delete(id);
        entries.set(id, existing);
        return existing;
      }
      if (entries.size === 0 && typeof window !== 'undefined') {
        // A reload or a tab put away saves them all first, so the next load resumes exactly.
        window.addEventListener('pagehide', saveAll);
        document.addEventListener('visibilitychange', () => {
          if (document.visibilityState === 'hidden') saveAll();
        });
      }
      const entry = create();
      entries.set(id, entry);
      for (const [keptId, kept] of entries) {
        if (entries.size <= maxKept) break;
        if (kept.holders === 0) entries.delete(keptId);
      }
      return entry;
    },
    remove(id: string): TEntry | undefined {
      const entry = entries.get(id);
      entries.delete(id);
      return entry;
    },
  };
}

/** Ties a store to its connection and resume state: the connection runs while anyone holds it. */
export function createStreamEntry<
  TStore extends { watch(listener: () => void): () => void },
  TConnection extends { start(): void; stop(): void } = StreamConnection,
>(options: {
  store: TStore;
  connection: TConnection;
  /** Writes the resume state (to sessionStorage). */
  write(): void;
  /** How often, at most, a change is written. */
  saveIntervalMs: number;
  /** Each time a holder starts following, after the connection started. */
  onAcquire?: () => void;
}): KeptStreamEntry<TStore, TConnection> {
  const { store } = options;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let stopTimer: ReturnType<typeof setTimeout> | undefined;

  function save(): void {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    options.write();
  }
  // Throttled: a write costs O(content), so not per token. A reload saves first (pagehide).
  store.watch(() => {
    saveTimer ??= setTimeout(save, options.saveIntervalMs);
  });
  const { connection } = options;

  const entry: KeptStreamEntry<TStore, TConnection> = {
    store,
    connection,
    holders: 0,
    save,
    acquire() {
      entry.holders += 1;
      clearTimeout(stopTimer);
      connection.start();
      options.onAcquire?.();
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

/**
 * One streaming feature's kept streams (plans, chat sessions): a store per stream, fed by the
 * browser's one shared event connection (`stream.watch`, falling back to polling), its resume
 * state in sessionStorage so a reload resumes exactly, and kept in memory for going back.
 */
export function createKeptStream<
  TStore extends SnapshotSource<TSnapshot>,
  TSnapshot,
  TResume extends object,
>(kind: KeptStreamKind<TStore, TSnapshot, TResume>): KeptStream<TStore, TSnapshot, TResume> {
  const kept = createKeptEntries<KeptStreamEntry<TStore>>(kind.maxKept);
  let storage: ResumeStorage<TResume> | undefined;
  const resumeStorage = () => {
    storage ??= createResumeStorage({
      keyPrefix: `sluice:${kind.kind}-stream:`,
      maxSaved: kind.maxSaved,
      parse: kind.parseResume,
    });
    return storage;
  };

  const subscribe: ChannelSubscribe<unknown> = (id, lastEventId, handlers) =>
    sharedConnection().subscribe({ kind: kind.kind, id, lastEventId }, handlers);

  function create(id: string, client: TrpcClient, queryClient: QueryClient) {
    const saved = resumeStorage();
    const store = kind.createStore(saved.load(id));
    const context: KeptStreamContext<TStore> = {
      id,
      store,
      client,
      queryClient,
      subscribe,
      save: () => entry.save(),
    };
    const entry: KeptStreamEntry<TStore> = createStreamEntry({
      store,
      connection: kind.connect(context),
      write() {
        const state = kind.resumeState(store);
        if (state !== undefined) saved.save(id, state);
      },
      saveIntervalMs: kind.saveIntervalMs,
      onAcquire: () => kind.acquired?.(entry),
    });
    kind.created?.(entry, context);
    return entry;
  }

  return {
    use(id: string) {
      const { client } = trpc.useUtils();
      const queryClient = useQueryClient();
      // One entry per stream, with whichever client asked first.
      const entry = useMemo(() => kept.get(id, () => create(id, client, queryClient)), [id]);
      useEffect(() => entry.acquire(), [entry]);
      const stream = useSyncExternalStore(entry.store.subscribe, entry.store.getSnapshot);
      return { stream, entry };
    },
    forget(id) {
      kept.remove(id)?.connection.stop();
      resumeStorage().save(id, null);
    },
    resumeStorage,
  };
}
