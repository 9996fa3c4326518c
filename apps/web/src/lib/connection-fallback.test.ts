import { describe, expect, it } from 'vitest';
import {
  type ConnectionFallbackState,
  type ConnectionSignal,
  initialConnectionFallback,
  isFallbackMode,
  nextConnectionFallback,
} from './connection-fallback';

function run(signals: ConnectionSignal[], start = initialConnectionFallback(0)) {
  return signals.reduce<ConnectionFallbackState>(
    (state, signal) => nextConnectionFallback(state, signal),
    start,
  );
}

describe('nextConnectionFallback', () => {
  it('starts by connecting, and is live once the subscription connects', () => {
    expect(initialConnectionFallback(0).mode).toBe('reconnecting');
    expect(run([{ type: 'subscription-connected', at: 100 }]).mode).toBe('live');
  });

  it('reconnects after a failure or two without falling back', () => {
    const state = run([
      { type: 'subscription-connected', at: 0 },
      { type: 'subscription-failed', at: 1_000 },
      { type: 'subscription-connected', at: 2_000 },
      { type: 'subscription-failed', at: 3_000 },
    ]);
    expect(state.mode).toBe('reconnecting');
    expect(state.failures).toEqual([1_000, 3_000]);
  });

  it('falls back to polling after three failures within 20 s', () => {
    const state = run([
      { type: 'subscription-connected', at: 0 },
      { type: 'subscription-failed', at: 1_000 },
      { type: 'subscription-data', at: 2_000 },
      { type: 'subscription-failed', at: 5_000 },
      { type: 'subscription-data', at: 6_000 },
      { type: 'subscription-failed', at: 9_000 },
    ]);
    expect(state.mode).toBe('polling');
  });

  it('forgets failures older than the window', () => {
    const state = run([
      { type: 'subscription-failed', at: 0 },
      { type: 'subscription-connected', at: 500 },
      { type: 'subscription-failed', at: 10_000 },
      { type: 'subscription-connected', at: 10_500 },
      { type: 'subscription-failed', at: 25_000 },
    ]);
    expect(state.mode).toBe('reconnecting');
    expect(state.failures).toEqual([10_000, 25_000]);
  });

  it('falls back when connecting takes longer than 8 s', () => {
    expect(run([{ type: 'tick', at: 8_000 }]).mode).toBe('reconnecting');
    expect(run([{ type: 'tick', at: 8_001 }]).mode).toBe('polling');
    const afterDrop = run([
      { type: 'subscription-connected', at: 0 },
      { type: 'subscription-failed', at: 30_000 },
      { type: 'tick', at: 37_000 },
    ]);
    expect(afterDrop.mode).toBe('reconnecting');
    expect(run([{ type: 'tick', at: 38_001 }], afterDrop).mode).toBe('polling');
  });

  it('does not time out while connected', () => {
    const state = run([
      { type: 'subscription-connected', at: 0 },
      { type: 'tick', at: 60_000 },
    ]);
    expect(state.mode).toBe('live');
  });

  it('says offline when polling gets no answer, and polling again when it does', () => {
    const polling = run([{ type: 'tick', at: 9_000 }]);
    const offline = run([{ type: 'poll-failed', at: 9_500, unreachable: true }], polling);
    expect(offline.mode).toBe('offline');
    // An error answer is still an answer: the server is there.
    expect(run([{ type: 'poll-failed', at: 9_600, unreachable: false }], polling).mode).toBe(
      'polling',
    );
    expect(run([{ type: 'poll-succeeded', at: 11_000 }], offline).mode).toBe('polling');
  });

  it('goes offline at once when a quick check finds no server', () => {
    const state = run([
      { type: 'subscription-connected', at: 0 },
      { type: 'subscription-failed', at: 1_000 },
      { type: 'server-unreachable', at: 1_100 },
    ]);
    expect(state.mode).toBe('offline');
    expect(isFallbackMode(state.mode)).toBe(true);
  });

  it('ignores connection trouble while polling, and goes live when a background attempt gets through', () => {
    const polling = run([{ type: 'tick', at: 9_000 }]);
    const stillPolling = run(
      [
        { type: 'subscription-connecting', at: 19_000 },
        { type: 'subscription-failed', at: 19_500 },
        { type: 'tick', at: 40_000 },
      ],
      polling,
    );
    expect(stillPolling.mode).toBe('polling');
    expect(run([{ type: 'subscription-connected', at: 41_000 }], stillPolling).mode).toBe('live');
  });

  it('ignores poll results once live', () => {
    const live = run([{ type: 'subscription-connected', at: 0 }]);
    expect(run([{ type: 'poll-failed', at: 1, unreachable: true }], live)).toBe(live);
    expect(run([{ type: 'poll-succeeded', at: 1 }], live)).toBe(live);
  });

  it('returns the same state when a tick changes nothing (no re-render)', () => {
    const live = run([{ type: 'subscription-connected', at: 0 }]);
    expect(nextConnectionFallback(live, { type: 'tick', at: 1_000 })).toBe(live);
  });
});
