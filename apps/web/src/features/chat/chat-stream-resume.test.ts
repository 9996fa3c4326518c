import { describe, expect, it } from 'vitest';
import { createChatResumeStorage } from './chat-stream';
import type { ChatResumeState } from './chat-stream-store';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
    clear: () => items.clear(),
  };
}

const state: ChatResumeState = {
  lastEventId: 'a1:5.1',
  message: {
    key: 'a1',
    id: 'a1',
    role: 'assistant',
    content: 'Hello',
    status: 'generating',
    reason: null,
    error: null,
    usage: null,
    stats: null,
    model: null,
    replyTo: 'u1',
    artifactId: null,
    artifactTitle: null,
    createdAt: null,
    pending: false,
    clientRequestId: null,
    sendFailure: null,
  },
};

describe('createChatResumeStorage', () => {
  it('saves, loads and forgets the resume state of a session', () => {
    const storage = createChatResumeStorage(memoryStorage());
    storage.save('s1', state);
    expect(storage.load('s1')).toEqual(state);
    expect(storage.load('s2')).toBeNull();
    storage.save('s1', null);
    expect(storage.load('s1')).toBeNull();
  });

  it('ignores what it cannot read', () => {
    const backing = memoryStorage();
    backing.setItem('sluice:chat-stream:s1', '{"lastEventId":3}');
    backing.setItem('sluice:chat-stream:s2', 'not json');
    const storage = createChatResumeStorage(backing);
    expect(storage.load('s1')).toBeNull();
    expect(storage.load('s2')).toBeNull();
  });

  it('keeps only the most recently saved sessions', () => {
    const backing = memoryStorage();
    let time = 0;
    const storage = createChatResumeStorage(backing, () => time);
    for (let index = 0; index < 25; index += 1) {
      time += 1;
      storage.save(`s${index}`, state);
    }
    expect(backing.length).toBe(20);
    expect(storage.load('s24')).toEqual(state);
    expect(storage.load('s0')).toBeNull();
  });

  it('works without storage', () => {
    const storage = createChatResumeStorage(undefined);
    storage.save('s1', state);
    expect(storage.load('s1')).toBeNull();
  });
});
