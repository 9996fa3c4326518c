import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { trpc } from '../../lib/trpc';
import { createPlanResumeStorage, type PlanResumeStorage } from './plan-resume-storage';
import {
  createPlanStreamConnection,
  type PlanStreamClient,
  type PlanStreamConnection,
} from './plan-stream-connection';
import {
  createPlanStreamStore,
  type PlanStreamSnapshot,
  type PlanStreamStore,
} from './plan-stream-store';

type TrpcClient = ReturnType<typeof trpc.useUtils>['client'];

/** How often, at most, a streaming plan's resume state is written to sessionStorage. */
const saveIntervalMs = 1_000;
/** Plans kept in memory for going back and forth without a snapshot. */
const maxKeptPlans = 20;

interface PlanStreamEntry {
  store: PlanStreamStore;
  connection: PlanStreamConnection;
  /** Starts following (once per holder); returns the release. */
  acquire(): () => void;
  save(): void;
  holders: number;
}

const entries = new Map<string, PlanStreamEntry>();
let resumeStorage: PlanResumeStorage | undefined;

function streamClient(client: TrpcClient): PlanStreamClient {
  return {
    subscribe(input, handlers) {
      return client.plan.events.subscribe(input, {
        onData: handlers.onData,
        onConnectionStateChange: handlers.onConnectionStateChange,
        onError: handlers.onError,
        onComplete: handlers.onComplete,
      });
    },
    get: (planId) => client.plan.get.query({ planId }),
  };
}

function saveAll(): void {
  for (const entry of entries.values()) entry.save();
}

function createEntry(planId: string, client: TrpcClient): PlanStreamEntry {
  resumeStorage ??= createPlanResumeStorage();
  const storage = resumeStorage;
  const store = createPlanStreamStore({ resume: storage.load(planId) });
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let stopTimer: ReturnType<typeof setTimeout> | undefined;

  function save(): void {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    const state = store.resumeState();
    if (state) storage.save(planId, state);
  }

  // Throttled: a write costs O(content), so not per token. A reload saves first (pagehide).
  store.watch(() => {
    saveTimer ??= setTimeout(save, saveIntervalMs);
  });

  const connection = createPlanStreamConnection({
    planId,
    store,
    client: streamClient(client),
    onEnd: save,
  });

  const entry: PlanStreamEntry = {
    store,
    connection,
    holders: 0,
    save,
    acquire() {
      entry.holders += 1;
      clearTimeout(stopTimer);
      connection.start();
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

function planStreamEntry(planId: string, client: TrpcClient): PlanStreamEntry {
  const existing = entries.get(planId);
  if (existing) {
    // Most recently used last.
    entries.delete(planId);
    entries.set(planId, existing);
    return existing;
  }
  if (entries.size === 0 && typeof window !== 'undefined') {
    // A reload or a tab put away saves first, so the next load resumes exactly.
    window.addEventListener('pagehide', saveAll);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') saveAll();
    });
  }
  const entry = createEntry(planId, client);
  entries.set(planId, entry);
  for (const [id, kept] of entries) {
    if (entries.size <= maxKeptPlans) break;
    if (kept.holders === 0) entries.delete(id);
  }
  return entry;
}

/**
 * Follows one plan: resumes from what this tab already has (memory, or sessionStorage
 * after a reload) and re-renders at most once per animation frame.
 */
export function usePlanStream(planId: string): PlanStreamSnapshot {
  const { client } = trpc.useUtils();
  // The entry outlives the component: going back to a plan resumes where it was.
  // One entry per plan, with whichever client asked first.
  const entry = useMemo(() => planStreamEntry(planId, client), [planId]);
  useEffect(() => entry.acquire(), [entry]);
  return useSyncExternalStore(entry.store.subscribe, entry.store.getSnapshot);
}
