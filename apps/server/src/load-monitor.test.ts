import { describe, expect, it } from 'vitest';
import { createLoadMonitor } from './load-monitor';

describe('load monitor', () => {
  it('reports overload while the last window lagged beyond the limit, and recovers', async () => {
    let lag = 5;
    const monitor = createLoadMonitor({ maxDelayMs: 100, windowMs: 10, sampleDelayMs: () => lag });
    try {
      await expect.poll(() => monitor.delayMs).toBe(5);
      expect(monitor.overloaded()).toBe(false);
      lag = 400;
      await expect.poll(() => monitor.overloaded()).toBe(true);
      expect(monitor.delayMs).toBe(400);
      lag = 20;
      await expect.poll(() => monitor.overloaded()).toBe(false);
    } finally {
      monitor.close();
    }
  });

  it('measures the real event loop', async () => {
    const monitor = createLoadMonitor({ maxDelayMs: 50, windowMs: 150 });
    try {
      // Let the histogram's own timer start before the loop is blocked.
      await new Promise((resolve) => setTimeout(resolve, 30));
      const until = Date.now() + 120;
      while (Date.now() < until) {
        // Block the event loop, as an overloaded server would.
      }
      await expect.poll(() => monitor.overloaded(), { timeout: 1000 }).toBe(true);
      expect(monitor.delayMs).toBeGreaterThan(50);
    } finally {
      monitor.close();
    }
  });
});
