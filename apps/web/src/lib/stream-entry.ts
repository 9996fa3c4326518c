/** One stream a tab follows: kept while a page shows it, and a while after. */
export interface StreamEntry<TStore, TConnection> {
  store: TStore;
  connection: TConnection;
  /** Starts following (once per holder); returns the release. */
  acquire(): () => void;
  /** Writes the resume state now. */
  save(): void;
  holders: number;
}

export interface StreamEntryOptions<TStore, TConnection> {
  store: TStore;
  connection: TConnection;
  /** Writes the resume state (to sessionStorage). */
  write(): void;
  /** How often, at most, a change is written. */
  saveIntervalMs: number;
  /** Each time a holder starts following, after the connection started. */
  onAcquire?: () => void;
}

/**
 * Ties a store to its connection and its resume state: the connection runs while anyone
 * holds the entry, and changes are written at most once per `saveIntervalMs`.
 */
export function createStreamEntry<
  TStore extends { watch(listener: () => void): () => void },
  TConnection extends { start(): void; stop(): void },
>(options: StreamEntryOptions<TStore, TConnection>): StreamEntry<TStore, TConnection> {
  const { store, connection } = options;
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

  const entry: StreamEntry<TStore, TConnection> = {
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
