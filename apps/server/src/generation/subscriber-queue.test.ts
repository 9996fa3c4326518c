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
});
