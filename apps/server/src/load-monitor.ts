import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoadMonitor {
  /** True while the event loop's recent p99 delay is above the limit. */
  overloaded(): boolean;
  /** The p99 event-loop delay of the last window, in ms. */
  readonly delayMs: number;
  close(): void;
}

export interface LoadMonitorOptions {
  maxDelayMs: number;
  windowMs?: number;
  /** Reads and resets the delay of the window that ended (defaults to perf_hooks). */
  sampleDelayMs?: () => number;
}

function eventLoopDelaySampler(): { sample: () => number; close: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    sample() {
      const p99 = histogram.percentile(99) / 1e6;
      histogram.reset();
      return p99;
    },
    close: () => histogram.disable(),
  };
}

/**
 * Sheds load before it starves the streams already running: when the event loop lags,
 * new generations are refused (TOO_MANY_REQUESTS) while running ones carry on.
 */
export function createLoadMonitor(options: LoadMonitorOptions): LoadMonitor {
  const sampler = options.sampleDelayMs
    ? { sample: options.sampleDelayMs, close() {} }
    : eventLoopDelaySampler();
  let delayMs = 0;
  const timer = setInterval(() => {
    delayMs = sampler.sample();
  }, options.windowMs ?? 1000);
  timer.unref();
  return {
    overloaded: () => delayMs > options.maxDelayMs,
    get delayMs() {
      return delayMs;
    },
    close() {
      clearInterval(timer);
      sampler.close();
    },
  };
}
