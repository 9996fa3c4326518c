import { describe, expect, it } from 'vitest';
import { createLoadMonitor } from './load-monitor';

describe('load monitor', () => {
  it('reports overload once two windows in a row lagged beyond the limit, and recovers', async () => {
    let lag = 5;
    const monitor = createLoadMonitor({ maxDelayMs: 100, windowMs: 10, sampleDelayMs: () => lag });
    try {
      await expect.poll(() => monitor.delayMs).toBe(5);
      expect(monitor.overloaded()).toBe(false);
      lag = 400;
      await expect.poll(() => monitor.delayMs).toBe(400);
      await expect.poll(() => monitor.overloaded()).toBe(true);
      expect(monitor.delayMs).toBe(400);
      lag = 20;
      await expect.poll(() => monitor.overloaded()).toBe(false);
    } finally {
      monitor.close();
    }
  });

  it('measures the real event loop', async () => {
    const monitor = createLoadMonitor({ maxDelayMs: 50, windowMs: 100 });
    try {
      // Let the histogram's own timer start before the loop is blocked.
      await new Promise((resolve) => setTimeout(resolve, 30));
      // Sustained lag, as under real overload: the loop is blocked again and again.
      const overloaded = await (async () => {
        for (let round = 0; round < 20; round++) {
          const until = Date.now() + 120;
          while (Date.now() < until) {
            // Block the event loop.
          }
          await new Promise((resolve) => setImmediate(resolve));
          if (monitor.overloaded()) return true;
        }
        return false;
      })();
      expect(overloaded).toBe(true);
      expect(monitor.delayMs).toBeGreaterThan(50);
    } finally {
      monitor.close();
    }
  });
});
