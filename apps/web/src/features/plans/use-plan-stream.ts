import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { createKeptStreams } from '../../lib/kept-streams';
import { createStreamEntry, type StreamEntry } from '../../lib/stream-entry';
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

type PlanStreamEntry = StreamEntry<PlanStreamStore, PlanStreamConnection>;

const keptPlans = createKeptStreams<PlanStreamEntry>(maxKeptPlans);
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

function createEntry(planId: string, client: TrpcClient): PlanStreamEntry {
  resumeStorage ??= createPlanResumeStorage();
  const storage = resumeStorage;
  const store = createPlanStreamStore({ resume: storage.load(planId) });
  const entry = createStreamEntry({
    store,
    connection: createPlanStreamConnection({
      planId,
      store,
      client: streamClient(client),
      // The end is saved at once.
      onEnd: () => entry.save(),
    }),
    write() {
      const state = store.resumeState();
      if (state) storage.save(planId, state);
    },
    saveIntervalMs,
  });
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
  const entry = useMemo(() => keptPlans.get(planId, () => createEntry(planId, client)), [planId]);
  useEffect(() => entry.acquire(), [entry]);
  return useSyncExternalStore(entry.store.subscribe, entry.store.getSnapshot);
}
