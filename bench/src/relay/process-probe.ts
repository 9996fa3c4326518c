import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ProcessUsage } from './protocol';

export interface ProcessProbe {
  usage(): ProcessUsage;
  /** Starts a new peak window; returns the usage at that moment. */
  resetPeaks(): ProcessUsage;
  stop(): void;
}

function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Measures the process it runs in: CPU from process.cpuUsage(), memory sampled every
 * `intervalMs` for peaks (cheap: one memoryUsage() call per sample), event-loop delay.
 */
export function createProcessProbe(intervalMs = 200): ProcessProbe {
  let peakRssBytes = 0;
  let peakHeapUsedBytes = 0;

  const sample = () => {
    const memory = process.memoryUsage();
    peakRssBytes = Math.max(peakRssBytes, memory.rss);
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, memory.heapUsed);
    return memory;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();

  const usage = (): ProcessUsage => {
    const memory = sample();
    const cpu = process.cpuUsage();
    return {
      at: wallClock(),
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      peakRssBytes,
      peakHeapUsedBytes,
      // ru_maxrss is in kilobytes on Linux.
      lifetimeMaxRssBytes: process.resourceUsage().maxRSS * 1024,
      eventLoopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0,
      eventLoopDelayMaxMs: loopDelay.count > 0 ? loopDelay.max / 1e6 : 0,
    };
  };

  return {
    usage,
    resetPeaks() {
      peakRssBytes = 0;
      peakHeapUsedBytes = 0;
      loopDelay.reset();
      return usage();
    },
    stop() {
      clearInterval(timer);
      loopDelay.disable();
    },
  };
}
