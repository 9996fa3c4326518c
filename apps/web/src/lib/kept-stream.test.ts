import { describe, expect, it } from 'vitest';
import { createKeptEntries as createKeptStreams } from './kept-stream';

function entry(name: string) {
  return { name, holders: 0, save() {} };
}

describe('createKeptStreams', () => {
  it('makes an entry once and hands out the same one after', () => {
    const kept = createKeptStreams<ReturnType<typeof entry>>(2);
    let made = 0;
    const create = () => {
      made += 1;
      return entry('a');
    };
    const first = kept.get('a', create);
    expect(kept.get('a', create)).toBe(first);
    expect(made).toBe(1);
  });

  it('drops the least recently used entries nobody holds beyond the limit', () => {
    const kept = createKeptStreams<ReturnType<typeof entry>>(2);
    const a = kept.get('a', () => entry('a'));
    const b = kept.get('b', () => entry('b'));
    a.holders = 1;
    kept.get('c', () => entry('c'));
    // `a` is held, so `b` goes although `a` is older.
    expect(kept.get('a', () => entry('new a'))).toBe(a);
    expect(kept.get('b', () => entry('new b'))).not.toBe(b);
  });

  it('counts a get as a use', () => {
    const kept = createKeptStreams<ReturnType<typeof entry>>(2);
    const a = kept.get('a', () => entry('a'));
    kept.get('b', () => entry('b'));
    kept.get('a', () => entry('new a'));
    kept.get('c', () => entry('c'));
    expect(kept.get('a', () => entry('new a'))).toBe(a);
  });

  it('forgets an entry on remove, and returns it', () => {
    const kept = createKeptStreams<ReturnType<typeof entry>>(2);
    const a = kept.get('a', () => entry('a'));
    expect(kept.remove('a')).toBe(a);
    expect(kept.remove('a')).toBeUndefined();
    expect(kept.get('a', () => entry('new a')).name).toBe('new a');
  });
});
