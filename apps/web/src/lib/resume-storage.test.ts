import { describe, expect, it } from 'vitest';
import { createResumeStorage } from './resume-storage';

/** An in-memory Storage, optionally refusing writes beyond a size. */
function memoryStorage(maxCharacters = Number.POSITIVE_INFINITY): Storage {
  const items = new Map<string, string>();
  const size = () => [...items.values()].reduce((sum, value) => sum + value.length, 0);
  return {
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem(key, value) {
      const previous = items.get(key)?.length ?? 0;
      if (size() - previous + value.length > maxCharacters) throw new Error('QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
    clear: () => items.clear(),
  };
}

interface TextState {
  lastEventId: string;
  text: string;
}

function textStorage(storage: Storage | undefined, now?: () => number) {
  return createResumeStorage<TextState>({
    keyPrefix: 'test:',
    maxSaved: 3,
    parse: (saved) =>
      typeof saved.lastEventId === 'string' && typeof saved.text === 'string'
        ? { lastEventId: saved.lastEventId, text: saved.text }
        : null,
    storage,
    now,
  });
}

const state: TextState = { lastEventId: '5.1', text: 'Hello' };

describe('createResumeStorage', () => {
  it('saves, loads and forgets a state under its key, with when it was saved', () => {
    const raw = memoryStorage();
    const storage = textStorage(raw, () => 42);
    storage.save('a', state);
    expect(JSON.parse(raw.getItem('test:a') ?? 'null')).toEqual({ ...state, savedAt: 42 });
    expect(storage.load('a')).toEqual(state);
    expect(storage.load('b')).toBeNull();
    storage.save('a', null);
    expect(storage.load('a')).toBeNull();
    expect(raw.length).toBe(0);
  });

  it('ignores what it cannot read or parse, and what has no save time', () => {
    const raw = memoryStorage();
    raw.setItem('test:a', '{not json');
    raw.setItem('test:b', JSON.stringify({ ...state, text: 3, savedAt: 1 }));
    raw.setItem('test:c', JSON.stringify(state));
    raw.setItem('test:d', '"a string"');
    const storage = textStorage(raw);
    for (const id of ['a', 'b', 'c', 'd']) expect(storage.load(id)).toBeNull();
  });

  it('keeps only the most recently saved, leaving other keys alone', () => {
    let now = 0;
    const raw = memoryStorage();
    raw.setItem('other', 'kept');
    const storage = textStorage(raw, () => now);
    for (let index = 0; index < 5; index += 1) {
      now += 1;
      storage.save(`s${index}`, state);
    }
    expect(raw.length).toBe(4);
    expect(raw.getItem('other')).toBe('kept');
    expect(storage.load('s1')).toBeNull();
    expect(storage.load('s2')).toEqual(state);
    expect(storage.load('s4')).toEqual(state);
  });

  it('makes room when the storage is full', () => {
    let now = 0;
    const raw = memoryStorage(600);
    const storage = textStorage(raw, () => now);
    for (let index = 0; index < 3; index += 1) {
      now += 1;
      storage.save(`s${index}`, { ...state, text: 'x'.repeat(150) });
    }
    now += 1;
    storage.save('big', { ...state, text: 'y'.repeat(400) });
    expect(storage.load('big')?.text).toHaveLength(400);
  });

  it('gives up on a state that does not fit at all', () => {
    const storage = textStorage(memoryStorage(200));
    storage.save('s0', state);
    storage.save('huge', { ...state, text: 'z'.repeat(300) });
    expect(storage.load('huge')).toBeNull();
  });

  it('works without storage (disabled by the browser)', () => {
    const storage = textStorage(undefined);
    storage.save('a', state);
    expect(storage.load('a')).toBeNull();
  });
});
