/** Runs a publication later: the next animation frame in the browser. */
export type Schedule = (publish: () => void) => void;

/** The next animation frame; a timer as well, since hidden tabs get no frames. */
export function nextFrame(publish: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    publish();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
  setTimeout(once, 250);
}

/**
 * `schedule`, but only while the page is visible: a hidden tab keeps its stores up to date
 * and renders nothing until it is shown again (then once, with everything).
 */
export function whenVisible(
  schedule: Schedule,
  page:
    | Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>
    | undefined = typeof document === 'undefined' ? undefined : document,
): Schedule {
  return (publish) => {
    if (page?.visibilityState !== 'hidden') {
      schedule(publish);
      return;
    }
    const onVisible = () => {
      if (page.visibilityState === 'hidden') return;
      page.removeEventListener('visibilitychange', onVisible);
      schedule(publish);
    };
    page.addEventListener('visibilitychange', onVisible);
  };
}

/** What React (and whoever saves the state) reads from a store. */
export interface SnapshotSource<TSnapshot> {
  /** React's side: published at most once per frame. */
  subscribe(listener: () => void): () => void;
  getSnapshot(): TSnapshot;
  /** Every change, synchronously (for saving the resume state). */
  watch(listener: () => void): () => void;
  /** Publishes now instead of at the next frame. */
  flush(): void;
}

export interface FrameStore<TSnapshot> extends SnapshotSource<TSnapshot> {
  /** The state changed: watchers hear it now, React at the next frame. */
  changed(): void;
}

/**
 * The React side of a store that changes per token: `build` makes an immutable snapshot
 * for `useSyncExternalStore`, at most once per animation frame however many changes came.
 */
export function createFrameStore<TSnapshot>(
  build: () => TSnapshot,
  schedule: Schedule = whenVisible(nextFrame),
): FrameStore<TSnapshot> {
  const listeners = new Set<() => void>();
  const watchers = new Set<() => void>();
  let snapshot = build();
  let scheduled = false;

  function publish(): void {
    scheduled = false;
    snapshot = build();
    for (const listener of listeners) listener();
  }

  return {
    changed() {
      for (const watcher of watchers) watcher();
      if (scheduled) return;
      scheduled = true;
      schedule(() => {
        if (scheduled) publish();
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => snapshot,
    watch(listener) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    flush() {
      if (scheduled) publish();
    },
  };
}
