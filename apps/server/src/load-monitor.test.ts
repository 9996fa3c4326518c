import { describe, expect, it } from 'vitest';
import { createEventLoopDelaySampler, createLoadMonitor, type Repeat } from './load-monitor';

/** Timers the test fires by hand: `fire(intervalMs)` runs every callback of that interval. */
function manualTimers(): { repeat: Repeat; fire(intervalMs: number): void; active(): number } {
  const timers = new Set<{ intervalMs: number; callback: () => void }>();
  return {
    repeat(intervalMs, callback) {
      const timer = { intervalMs, callback };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    fire(intervalMs) {
      for (const timer of [...timers]) if (timer.intervalMs === intervalMs) timer.callback();
    },
    active: () => timers.size,
  };
}

describe('load monitor', () => {
  it('reports overload once two windows in a row lagged beyond the limit, and recovers', () => {
    const timers = manualTimers();
    let lag = 5;
    const monitor = createLoadMonitor({
      maxDelayMs: 100,
      windowMs: 10,
      sampleDelayMs: () => lag,
      repeat: timers.repeat,
    });
    timers.fire(10);
    expect(monitor.delayMs).toBe(5);
    expect(monitor.overloaded()).toBe(false);
    lag = 400;
    timers.fire(10);
    expect(monitor.delayMs).toBe(400);
    // One slow window is not overload.
    expect(monitor.overloaded()).toBe(false);
    timers.fire(10);
    expect(monitor.overloaded()).toBe(true);
    expect(monitor.delayMs).toBe(400);
    lag = 20;
    timers.fire(10);
    expect(monitor.overloaded()).toBe(false);
    monitor.close();
    expect(timers.active()).toBe(0);
  });

  it('measures how late its timer fires, and a window in which it never fired as one block', () => {
    const timers = manualTimers();
    let now = 1000;
    const sampler = createEventLoopDelaySampler({
      resolutionMs: 20,
      repeat: timers.repeat,
      now: () => now,
    });
    // On time, then 120 ms late (the loop was blocked), then on time again.
    for (const step of [20, 140, 20]) {
      now += step;
      timers.fire(20);
    }
    expect(sampler.sample()).toBe(120);
    // The next window starts empty: on time only.
    now += 20;
    timers.fire(20);
    expect(sampler.sample()).toBe(0);
    // A window in which the timer never fired: the loop has been blocked since it was due.
    now += 320;
    expect(sampler.sample()).toBe(300);
    sampler.close();
    expect(timers.active()).toBe(0);
  });

  it('sheds load on the delay its own sampler measures', () => {
    const timers = manualTimers();
    let now = 0;
    const monitor = createLoadMonitor({
      maxDelayMs: 50,
      windowMs: 100,
      repeat: timers.repeat,
      now: () => now,
    });
    // Two windows in which the loop is blocked for 120 ms again and again.
    for (let window = 0; window < 2; window++) {
      for (let block = 0; block < 3; block++) {
        now += 20 + 120;
        timers.fire(20);
      }
      timers.fire(100);
    }
    expect(monitor.delayMs).toBe(120);
    expect(monitor.overloaded()).toBe(true);
    monitor.close();
    expect(timers.active()).toBe(0);
  });
});
