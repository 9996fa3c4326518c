export interface KeptStreams<TEntry> {
  /** The entry of `id`, made with `create` if it is not kept; now the most recently used. */
  get(id: string, create: () => TEntry): TEntry;
  /** Stops keeping `id`; returns its entry, if it was kept. */
  remove(id: string): TEntry | undefined;
}

/**
 * The streams a tab keeps in memory, so going back to one resumes where it was instead of
 * from a snapshot: the most recently used `maxKept`, and any a page still holds. A reload
 * or a tab put away saves them all first, so the next load resumes exactly.
 */
export function createKeptStreams<TEntry extends { save(): void; readonly holders: number }>(
  maxKept: number,
): KeptStreams<TEntry> {
  const entries = new Map<string, TEntry>();

  function saveAll(): void {
    for (const entry of entries.values()) entry.save();
  }

  return {
    get(id, create) {
      const existing = entries.get(id);
      if (existing) {
        // Most recently used last.
        entries.delete(id);
        entries.set(id, existing);
        return existing;
      }
      if (entries.size === 0 && typeof window !== 'undefined') {
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
    remove(id) {
      const entry = entries.get(id);
      entries.delete(id);
      return entry;
    },
  };
}
