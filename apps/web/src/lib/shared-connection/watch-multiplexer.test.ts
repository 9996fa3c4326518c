import type { StreamChannel, StreamWatchMessage } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { createChannelClient } from './channel-client';
import type { ChannelMessage } from './channel-messages';
import { createChannelOwner } from './channel-owner';
import { createWatchMultiplexer, type WatchSubscribe } from './watch-multiplexer';

type Handlers = Parameters<WatchSubscribe>[1];

/** A fake `stream.watch`: records each subscription; the test plays the server. */
function fakeWatch() {
  const subscriptions: Array<{ channels: StreamChannel[]; handlers: Handlers; closed: boolean }> =
    [];
  const subscribe: WatchSubscribe = (channels, handlers) => {
    const subscription = { channels, handlers, closed: false };
    subscriptions.push(subscription);
    return {
      unsubscribe() {
        subscription.closed = true;
      },
    };
  };
  return {
    subscribe,
    subscriptions,
    get latest() {
      const latest = subscriptions.at(-1);
      if (!latest) throw new Error('no subscription');
      return latest;
    },
    open: () => subscriptions.filter((subscription) => !subscription.closed),
  };
}

/** Timers the test runs by hand. */
function manualTimers() {
  let pending: Array<{ callback: () => void; handle: number }> = [];
  let next = 0;
  return {
    setTimeout(callback: () => void) {
      next += 1;
      pending.push({ callback, handle: next });
      return next;
    },
    clearTimeout(handle: unknown) {
      pending = pending.filter((timer) => timer.handle !== handle);
    },
    runAll() {
      while (pending.length > 0) {
        const [timer] = pending.splice(0, 1);
        timer?.callback();
      }
    },
  };
}

function delta(channel: number, id: string, text: string): StreamWatchMessage {
  return { channel, id, event: { type: 'text-delta', text } };
}

describe('createWatchMultiplexer', () => {
  it('carries every channel on one subscription and resubscribes with each one’s last id when the set changes', () => {
    const watch = fakeWatch();
    const timers = manualTimers();
    const multiplexer = createWatchMultiplexer({ subscribe: watch.subscribe, ...timers });
    const received = new Map<string, ChannelMessage[]>();
    const sink = (key: string) => (message: ChannelMessage) =>
      received.set(key, [...(received.get(key) ?? []), message]);

    multiplexer.open('a', { kind: 'plan', id: 'p1', lastEventId: null }, sink('a'));
    multiplexer.open('b', { kind: 'plan', id: 'p2', lastEventId: '4.0' }, sink('b'));
    timers.runAll();
    expect(watch.subscriptions).toHaveLength(1);
    expect(watch.latest.channels).toEqual([
      { kind: 'plan', id: 'p1' },
      { kind: 'plan', id: 'p2', lastEventId: '4.0' },
    ]);
    watch.latest.handlers.onData(delta(0, '3.0', 'abc'));
    watch.latest.handlers.onData(delta(1, '6.0', 'de'));

    // A third channel: one new subscription, each channel from where it is.
    multiplexer.open('c', { kind: 'chat', id: 's1', lastEventId: null }, sink('c'));
    timers.runAll();
    expect(watch.open()).toHaveLength(1);
    expect(watch.latest.channels).toEqual([
      { kind: 'plan', id: 'p1', lastEventId: '3.0' },
      { kind: 'plan', id: 'p2', lastEventId: '6.0' },
      { kind: 'chat', id: 's1' },
    ]);
    // The old subscription says nothing more, even if it tries.
    watch.subscriptions[0]?.handlers.onData(delta(0, '4.0', 'X'));
    expect(received.get('a')).toEqual([
      { type: 'data', id: '3.0', event: { type: 'text-delta', text: 'abc' } },
    ]);

    multiplexer.close('a');
    timers.runAll();
    expect(watch.latest.channels).toEqual([
      { kind: 'plan', id: 'p2', lastEventId: '6.0' },
      { kind: 'chat', id: 's1' },
    ]);
    multiplexer.close('b');
    multiplexer.close('c');
    timers.runAll();
    expect(watch.open()).toHaveLength(0);
  });

  it('resubscribes itself after a drop, from each channel’s last id, instead of letting the link resend the first input', () => {
    const watch = fakeWatch();
    const timers = manualTimers();
    const multiplexer = createWatchMultiplexer({ subscribe: watch.subscribe, ...timers });
    const states: ChannelMessage[] = [];
    multiplexer.open('a', { kind: 'plan', id: 'p1', lastEventId: null }, (message) =>
      states.push(message),
    );
    timers.runAll();
    watch.latest.handlers.onConnectionStateChange({ state: 'pending', error: null });
    watch.latest.handlers.onData(delta(0, '5.0', 'hello'));
    watch.latest.handlers.onConnectionStateChange({
      state: 'connecting',
      error: new Error('dropped'),
    });
    expect(watch.subscriptions[0]?.closed).toBe(true);
    timers.runAll();
    expect(watch.subscriptions).toHaveLength(2);
    expect(watch.latest.channels).toEqual([{ kind: 'plan', id: 'p1', lastEventId: '5.0' }]);
    expect(
      states.map((message) =>
        message.type === 'state' ? `${message.state}${message.error ? '!' : ''}` : message.type,
      ),
    ).toEqual(['pending', 'data', 'connecting!']);
  });

  it('ends only the channel the server refused, and keeps carrying the others', () => {
    const watch = fakeWatch();
    const timers = manualTimers();
    const multiplexer = createWatchMultiplexer({ subscribe: watch.subscribe, ...timers });
    const received: Array<[string, ChannelMessage]> = [];
    for (const key of ['mine', 'theirs']) {
      multiplexer.open(key, { kind: 'plan', id: key, lastEventId: null }, (message) =>
        received.push([key, message]),
      );
    }
    timers.runAll();
    watch.latest.handlers.onData({
      channel: 1,
      error: { code: 'NOT_FOUND', message: 'Plan not found' },
    });
    watch.latest.handlers.onData(delta(0, '1.0', 'a'));
    expect(received).toEqual([
      [
        'theirs',
        { type: 'error', error: { code: 'NOT_FOUND', message: 'Plan not found', httpStatus: 404 } },
      ],
      ['mine', { type: 'data', id: '1.0', event: { type: 'text-delta', text: 'a' } }],
    ]);
    expect(multiplexer.stats().channels).toBe(1);
  });
});

describe('channel client and owner', () => {
  it('reopens every channel from its last id at a new owner, and drops what the old one still sends', () => {
    const firstWatch = fakeWatch();
    const timers = manualTimers();
    const posted: unknown[] = [];
    let toFirst: ReturnType<typeof createChannelOwner> | undefined;
    const client = createChannelClient({ tab: 't1', post: (message) => toFirst?.receive(message) });
    toFirst = createChannelOwner({
      multiplexer: createWatchMultiplexer({ subscribe: firstWatch.subscribe, ...timers }),
      post: (_tab, message) => {
        posted.push(message);
        client.receive(message);
      },
    });
    const texts: string[] = [];
    client.subscribe(
      { kind: 'plan', id: 'p1', lastEventId: '2.0' },
      {
        onData: ({ data }) => texts.push((data as { text: string }).text),
        onConnectionStateChange: () => {},
        onError: () => {},
        onComplete: () => {},
      },
    );
    timers.runAll();
    expect(firstWatch.latest.channels).toEqual([{ kind: 'plan', id: 'p1', lastEventId: '2.0' }]);
    firstWatch.latest.handlers.onData(delta(0, '5.0', 'abc'));

    // A new leader: the channel opens there from 5.0.
    const secondWatch = fakeWatch();
    const second = createChannelOwner({
      multiplexer: createWatchMultiplexer({ subscribe: secondWatch.subscribe, ...timers }),
      post: (_tab, message) => client.receive(message),
    });
    const late = posted.length;
    client.connect((message) => second.receive(message));
    timers.runAll();
    expect(secondWatch.latest.channels).toEqual([{ kind: 'plan', id: 'p1', lastEventId: '5.0' }]);
    // The old leader's last words (sent before it went) arrive late: ignored.
    firstWatch.latest.handlers.onData(delta(0, '7.0', 'de'));
    expect(posted.length).toBe(late + 1);
    secondWatch.latest.handlers.onData(delta(0, '7.0', 'de'));
    expect(texts).toEqual(['abc', 'de']);
  });
});
