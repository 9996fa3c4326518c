import { describe, expect, it } from 'vitest';
import { createSubscriberQueue } from './subscriber-queue';

type Event = { type: 'text-delta'; text: string } | { type: 'end' };

describe('subscriber queue', () => {
  it('merges text-deltas that wait, keeping the newest id, and keeps other events apart', async () => {
    const controller = new AbortController();
    const queue = createSubscriberQueue<Event>(controller.signal);
    queue.push({ id: '1.0', sequence: 1, event: { type: 'text-delta', text: 'a' } });
    queue.push({ id: '3.0', sequence: 3, event: { type: 'text-delta', text: 'bc' } });
    queue.push({ id: '3.1', sequence: 4, event: { type: 'end' } });
    const received = [];
    for await (const item of queue.drain()) {
      received.push(item);
      if (item.event.type === 'end') break;
    }
    expect(received).toEqual([
      { id: '3.0', sequence: 3, event: { type: 'text-delta', text: 'abc' } },
      { id: '3.1', sequence: 4, event: { type: 'end' } },
    ]);
  });

  it('wakes a waiting reader on push and ends when the signal aborts', async () => {
    const controller = new AbortController();
    const queue = createSubscriberQueue<Event>(controller.signal);
    const iterator = queue.drain();
    const next = iterator.next();
    queue.push({ id: '1.0', sequence: 1, event: { type: 'text-delta', text: 'x' } });
    expect((await next).value).toMatchObject({ id: '1.0' });
    const pending = iterator.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('keeps text-deltas of different messages apart', async () => {
    const controller = new AbortController();
    const queue = createSubscriberQueue<Event, { id: string; messageId: string; event: Event }>(
      controller.signal,
    );
    queue.push({ id: 'a:1.0', messageId: 'a', event: { type: 'text-delta', text: 'x' } });
    queue.push({ id: 'b:1.0', messageId: 'b', event: { type: 'text-delta', text: 'y' } });
    queue.end();
    const received = [];
    for await (const item of queue.drain()) received.push(item.id);
    expect(received).toEqual(['a:1.0', 'b:1.0']);
  });

  it('ends after end() and throws the failure after fail(), once the queue is read', async () => {
    const controller = new AbortController();
    const ended = createSubscriberQueue<Event>(controller.signal);
    ended.push({ id: '1.0', sequence: 1, event: { type: 'text-delta', text: 'x' } });
    ended.end();
    const received = [];
    for await (const item of ended.drain()) received.push(item.id);
    expect(received).toEqual(['1.0']);

    const failed = createSubscriberQueue<Event>(controller.signal);
    failed.push({ id: '1.0', sequence: 1, event: { type: 'text-delta', text: 'x' } });
    failed.fail(new Error('gone'));
    const iterator = failed.drain();
    expect((await iterator.next()).value).toMatchObject({ id: '1.0' });
    await expect(iterator.next()).rejects.toThrow('gone');
  });
});
