export interface LoadMonitor {
  /** True while the event loop's p99 delay was above the limit for two windows in a row. */
  overloaded(): boolean;
  /** The p99 event-loop delay of the last window, in ms. */
  readonly delayMs: number;
  close(): void;
}

/** Calls `callback` every `intervalMs` until the returned function is called. */
export type Repeat = (intervalMs: number, callback: () => void) => () => void;

/** An unref'd `setInterval`: it never keeps the process alive. */
export const repeatWithTimer: Repeat = (intervalMs, callback) => {
  const timer = setInterval(callback, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
};

export interface LoadMonitorOptions {
  maxDelayMs: number;
  windowMs?: number;
  /** Reads and resets the delay of the window that ended (defaults to the sampler below). */
  sampleDelayMs?: () => number;
  /** Drives the windows (and the default sampler's timer); tests pass their own. */
  repeat?: Repeat;
  /** The default sampler's clock, in ms (defaults to `performance.now`). */
  now?: () => number;
}

export interface EventLoopDelaySamplerOptions {
  resolutionMs?: number;
  repeat?: Repeat;
  now?: () => number;
}

/**
 * Measures how late a short repeating timer fires: the time the event loop was busy
 * elsewhere. `sample` returns the window's 99th percentile and starts a new window.
 */
export function createEventLoopDelaySampler(options: EventLoopDelaySamplerOptions = {}): {
  sample: () => number;
  close: () => void;
} {
  const resolutionMs = options.resolutionMs ?? 20;
  const now = options.now ?? (() => performance.now());
  let lags: number[] = [];
  let expected = now() + resolutionMs;
  const stop = (options.repeat ?? repeatWithTimer)(resolutionMs, () => {
    const time = now();
    lags.push(Math.max(0, time - expected));
    expected = time + resolutionMs;
  });
  return {
    sample() {
      // A window in which the timer never fired was one long block: measure it now.
      const pending = Math.max(0, now() - expected);
      const window = lags.length > 0 ? lags : [pending];
      lags = [];
      window.sort((left, right) => left - right);
      return window[Math.min(window.length - 1, Math.floor(window.length * 0.99))] ?? 0;
    },
    close: stop,
  };
}

/**
 * Sheds load before it starves the streams already running: when the event loop lags,
 * new generations are refused (TOO_MANY_REQUESTS) while running ones carry on.
 */
export function createLoadMonitor(options: LoadMonitorOptions): LoadMonitor {
  const repeat = options.repeat ?? repeatWithTimer;
  const sampler = options.sampleDelayMs
    ? { sample: options.sampleDelayMs, close() {} }
    : createEventLoopDelaySampler({ repeat, now: options.now });
  let delayMs = 0;
  let previousDelayMs = 0;
  const stop = repeat(options.windowMs ?? 1000, () => {
    previousDelayMs = delayMs;
    delayMs = sampler.sample();
  });
  return {
    // Two windows in a row: one slow moment (a garbage collection, start-up) is not overload.
    overloaded: () => delayMs > options.maxDelayMs && previousDelayMs > options.maxDelayMs,
    get delayMs() {
      return delayMs;
    },
    close() {
      stop();
      sampler.close();
    },
  };
}
