import type { PlanResumeState } from './plan-stream-store';

const keyPrefix = 'sluice:plan-stream:';
/** Keeps the storage small: the most recently saved plans only. */
const maxSavedPlans = 20;

interface SavedEntry extends PlanResumeState {
  savedAt: number;
}

export interface PlanResumeStorage {
  load(planId: string): PlanResumeState | null;
  save(planId: string, state: PlanResumeState): void;
}

function isResumeState(value: unknown): value is SavedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.content === 'string' &&
    typeof entry.status === 'string' &&
    (entry.lastEventId === null || typeof entry.lastEventId === 'string') &&
    typeof entry.savedAt === 'number'
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
 * Where a tab keeps, per plan, the last event id together with the content it covers,
 * so a reload resumes exactly (`lastEventId`) instead of starting over.
 */
export function createPlanResumeStorage(
  storage: Storage | undefined = browserSessionStorage(),
  now: () => number = Date.now,
): PlanResumeStorage {
  function savedEntries(): Array<{ key: string; savedAt: number }> {
    if (!storage) return [];
    const entries: Array<{ key: string; savedAt: number }> = [];
    for (let index = 0; index < storage.length; index += 1) {
      const key = storage.key(index);
      if (!key?.startsWith(keyPrefix)) continue;
      entries.push({ key, savedAt: read(key)?.savedAt ?? 0 });
    }
    return entries.sort((a, b) => b.savedAt - a.savedAt);
  }

  function read(key: string): SavedEntry | null {
    try {
      const value: unknown = JSON.parse(storage?.getItem(key) ?? 'null');
      return isResumeState(value) ? value : null;
    } catch {
      return null;
    }
  }

  function prune(keep: number, except: string): void {
    for (const entry of savedEntries()
      .filter((saved) => saved.key !== except)
      .slice(keep)) {
      storage?.removeItem(entry.key);
    }
  }

  return {
    load(planId) {
      const entry = read(keyPrefix + planId);
      if (!entry) return null;
      const { savedAt: _savedAt, ...state } = entry;
      return state;
    },
    save(planId, state) {
      if (!storage) return;
      const key = keyPrefix + planId;
      const value = JSON.stringify({ ...state, savedAt: now() } satisfies SavedEntry);
      try {
        const isNew = storage.getItem(key) === null;
        storage.setItem(key, value);
        if (isNew) prune(maxSavedPlans - 1, key);
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
