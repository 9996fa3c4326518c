export interface ResumeStorage<TState> {
  load(id: string): TState | null;
  /** Null forgets it (nothing to resume exactly: start from a snapshot). */
  save(id: string, state: TState | null): void;
}

export interface ResumeStorageOptions<TState> {
  /** Put before each id to make its key (`sluice:plan-stream:`). */
  keyPrefix: string;
  /** Keeps the storage small: the most recently saved ones only. */
  maxSaved: number;
  /** The state in what was saved, or null when it is not one (damaged, from another version). */
  parse(saved: Record<string, unknown>): TState | null;
  storage?: Storage | undefined;
  now?: () => number;
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
 * Where a tab keeps, per stream, the last event id together with the text it covers, so a
 * reload resumes exactly (`lastEventId`) instead of starting over.
 */
export function createResumeStorage<TState extends object>({
  keyPrefix,
  maxSaved,
  parse,
  storage = browserSessionStorage(),
  now = Date.now,
}: ResumeStorageOptions<TState>): ResumeStorage<TState> {
  function read(key: string): { state: TState; savedAt: number } | null {
    try {
      const value: unknown = JSON.parse(storage?.getItem(key) ?? 'null');
      if (typeof value !== 'object' || value === null) return null;
      const { savedAt, ...saved } = value as Record<string, unknown>;
      if (typeof savedAt !== 'number') return null;
      const state = parse(saved);
      return state ? { state, savedAt } : null;
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
    load(id) {
      return read(keyPrefix + id)?.state ?? null;
    },
    save(id, state) {
      if (!storage) return;
      const key = keyPrefix + id;
      if (state === null) {
        storage.removeItem(key);
        return;
      }
      const value = JSON.stringify({ ...state, savedAt: now() });
      try {
        const isNew = storage.getItem(key) === null;
        storage.setItem(key, value);
        if (isNew) prune(maxSaved - 1, key);
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
