import { describe, expect, it } from 'vitest';
import { createPlanResumeStorage } from './plan-stream';
import type { PlanResumeState } from './plan-stream-store';

/** An in-memory Storage. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem(key, value) {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
    clear: () => items.clear(),
  };
}

const state: PlanResumeState = {
  lastEventId: '12.1',
  content: '{"title":"Ru',
  status: 'generating',
  usage: null,
  outcome: null,
};

describe('createPlanResumeStorage', () => {
  it('saves and loads the resume state of a plan', () => {
    const storage = createPlanResumeStorage(memoryStorage());
    storage.save('plan-1', state);
    expect(storage.load('plan-1')).toEqual(state);
    expect(storage.load('plan-2')).toBeNull();
  });

  it('ignores what it cannot read', () => {
    const raw = memoryStorage();
    raw.setItem('sluice:plan-stream:plan-1', '{not json');
    raw.setItem('sluice:plan-stream:plan-2', JSON.stringify({ content: 3 }));
    const storage = createPlanResumeStorage(raw);
    expect(storage.load('plan-1')).toBeNull();
    expect(storage.load('plan-2')).toBeNull();
  });

  it('keeps only the most recently saved plans', () => {
    let now = 0;
    const raw = memoryStorage();
    const storage = createPlanResumeStorage(raw, () => now);
    for (let index = 0; index < 25; index += 1) {
      now += 1;
      storage.save(`plan-${index}`, state);
    }
    expect(raw.length).toBe(20);
    expect(storage.load('plan-0')).toBeNull();
    expect(storage.load('plan-24')).toEqual(state);
  });

  it('works without storage (disabled by the browser)', () => {
    const storage = createPlanResumeStorage(undefined);
    storage.save('plan-1', state);
    expect(storage.load('plan-1')).toBeNull();
  });
});
