export interface LoadMonitor {
  /** True while the event loop's p99 delay was above the limit for two windows in a row. */
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

/**
 * Measures how late a short repeating timer fires: the time the event loop was busy
 * elsewhere. Returns the window's 99th percentile and starts a new window.
 */
function eventLoopDelaySampler(resolutionMs = 20): { sample: () => number; close: () => void } {
  let lags: number[] = [];
  let expected = performance.now() + resolutionMs;
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    expected = now + resolutionMs;
  }, resolutionMs);
  timer.unref();
  return {
    sample() {
      // A window in which the timer never fired was one long block: measure it now.
      const pending = Math.max(0, performance.now() - expected);
      const window = lags.length > 0 ? lags : [pending];
      lags = [];
      window.sort((left, right) => left - right);
      return window[Math.min(window.length - 1, Math.floor(window.length * 0.99))] ?? 0;
    },
    close: () => clearInterval(timer),
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
  let previousDelayMs = 0;
  const timer = setInterval(() => {
    previousDelayMs = delayMs;
    delayMs = sampler.sample();
  }, options.windowMs ?? 1000);
  timer.unref();
  return {
    // Two windows in a row: one slow moment (a garbage collection, start-up) is not overload.
    overloaded: () => delayMs > options.maxDelayMs && previousDelayMs > options.maxDelayMs,
    get delayMs() {
      return delayMs;
    },
    close() {
      clearInterval(timer);
      sampler.close();
    },
  };
}
