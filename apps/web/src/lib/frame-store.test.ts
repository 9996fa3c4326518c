import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFrameStore, nextFrame, whenVisible } from './frame-store';

/** A store of one counter whose frames run only when the test says so. */
function counterStore() {
  const frames: Array<() => void> = [];
  let count = 0;
  let builds = 0;
  const store = createFrameStore(
    () => {
      builds += 1;
      return { count };
    },
    (publish) => frames.push(publish),
  );
  return {
    store,
    frames,
    builds: () => builds,
    increment() {
      count += 1;
      store.changed();
    },
  };
}

describe('createFrameStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes at most once per frame, however many changes came', () => {
    const { store, frames, builds, increment } = counterStore();
    let publications = 0;
    store.subscribe(() => {
      publications += 1;
    });
    for (let index = 0; index < 5; index += 1) increment();
    expect(frames).toHaveLength(1);
    expect(store.getSnapshot()).toEqual({ count: 0 });
    frames.shift()?.();
    expect(publications).toBe(1);
    expect(builds()).toBe(2);
    expect(store.getSnapshot()).toEqual({ count: 5 });
  });

  it('keeps the same snapshot between frames', () => {
    const { store, frames, increment } = counterStore();
    increment();
    frames.shift()?.();
    const first = store.getSnapshot();
    expect(store.getSnapshot()).toBe(first);
  });

  it('tells watchers about every change synchronously', () => {
    const { store, increment } = counterStore();
    let changes = 0;
    const stop = store.watch(() => {
      changes += 1;
    });
    increment();
    increment();
    expect(changes).toBe(2);
    stop();
    increment();
    expect(changes).toBe(2);
  });

  it('publishes at once on flush, and not again when the frame comes', () => {
    const { store, frames, increment } = counterStore();
    let publications = 0;
    store.subscribe(() => {
      publications += 1;
    });
    store.flush();
    expect(publications).toBe(0);
    increment();
    store.flush();
    expect(store.getSnapshot()).toEqual({ count: 1 });
    frames.shift()?.();
    expect(publications).toBe(1);
  });

  it('stops telling a listener that unsubscribed', () => {
    const { store, frames, increment } = counterStore();
    let publications = 0;
    const unsubscribe = store.subscribe(() => {
      publications += 1;
    });
    unsubscribe();
    increment();
    frames.shift()?.();
    expect(publications).toBe(0);
  });
});

describe('nextFrame', () => {
  it('publishes once, by a timer where there are no animation frames (a hidden tab)', () => {
    vi.useFakeTimers();
    let publications = 0;
    nextFrame(() => {
      publications += 1;
    });
    vi.advanceTimersByTime(249);
    expect(publications).toBe(0);
    vi.advanceTimersByTime(1);
    expect(publications).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(publications).toBe(1);
  });
});

describe('whenVisible', () => {
  function fakePage(state: 'visible' | 'hidden') {
    const listeners = new Set<() => void>();
    return {
      visibilityState: state as DocumentVisibilityState,
      addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
      removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
      show() {
        this.visibilityState = 'visible';
        for (const listener of [...listeners]) listener();
      },
      get listeners() {
        return listeners.size;
      },
    };
  }

  it('renders a hidden tab’s changes only once it is visible again, in one publication', () => {
    const page = fakePage('hidden');
    const builds: number[] = [];
    let value = 0;
    const store = createFrameStore(
      () => {
        builds.push(value);
        return value;
      },
      whenVisible((publish) => publish(), page as unknown as Document),
    );
    const renders: number[] = [];
    store.subscribe(() => renders.push(store.getSnapshot()));
    let watched = 0;
    store.watch(() => {
      watched += 1;
    });
    for (let index = 0; index < 5; index += 1) {
      value += 1;
      store.changed();
    }
    // Kept up to date (saving watches every change), rendered nothing.
    expect(watched).toBe(5);
    expect(renders).toEqual([]);
    page.show();
    expect(renders).toEqual([5]);
    expect(page.listeners).toBe(0);
  });

  it('schedules at once on a visible page', () => {
    const page = fakePage('visible');
    const published: string[] = [];
    whenVisible((publish) => publish(), page as unknown as Document)(() => published.push('now'));
    expect(published).toEqual(['now']);
  });
});
