import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStreamEntry } from './kept-stream';

function setUp() {
  const watchers = new Set<() => void>();
  const store = {
    value: 0,
    watch(listener: () => void) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    change() {
      store.value += 1;
      for (const watcher of watchers) watcher();
    },
  };
  const events: string[] = [];
  const connection = {
    start: () => events.push('start'),
    stop: () => events.push('stop'),
  };
  const entry = createStreamEntry({
    store,
    connection,
    write: () => events.push(`write ${store.value}`),
    saveIntervalMs: 1_000,
    onAcquire: () => events.push('acquired'),
  });
  return { store, entry, events };
}

describe('createStreamEntry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts the connection for each holder, then tells the feature', () => {
    const { entry, events } = setUp();
    entry.acquire();
    entry.acquire();
    expect(entry.holders).toBe(2);
    expect(events).toEqual(['start', 'acquired', 'start', 'acquired']);
  });

  it('stops and saves after the last release, deferred, so a remount keeps the stream', () => {
    const { entry, events } = setUp();
    const release = entry.acquire();
    release();
    expect(entry.holders).toBe(0);
    const again = entry.acquire();
    vi.runAllTimers();
    expect(events).not.toContain('stop');

    again();
    vi.runAllTimers();
    expect(events.slice(-2)).toEqual(['stop', 'write 0']);
  });

  it('writes changes at most once per interval, with the latest state', () => {
    const { store, events } = setUp();
    store.change();
    store.change();
    vi.advanceTimersByTime(999);
    expect(events).toEqual([]);
    store.change();
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['write 3']);
  });

  it('writes at once on save, and not again for the changes it covered', () => {
    const { store, entry, events } = setUp();
    store.change();
    entry.save();
    vi.advanceTimersByTime(5_000);
    expect(events).toEqual(['write 1']);
  });
});
