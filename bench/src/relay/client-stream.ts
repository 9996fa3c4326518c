/** What one bench client saw of one stream. */
export interface ClientStream {
  tag: string;
  /** When the client started this stream (plan.create or the relay request), wall clock ms. */
  startedAt: number;
  /** When the system accepted it: plan.create answered (Sluice), response headers (raw relay). */
  acceptedAt: number | undefined;
  /** When the event stream was open (Sluice: onStarted; raw relay: response headers). */
  openedAt: number | undefined;
  /** The text assembled from the events, as a client must (snapshot replaces, deltas append). */
  text: string;
  /** Wall-clock time of each event that carried text, and the text length after it. */
  receiptTimes: number[];
  receiptEnds: number[];
  /** The terminal event arrived. */
  ended: boolean;
  /** What the terminal event said (`partial/length`, `length`, …). */
  endStatus: string | undefined;
  error: string | undefined;
  /** Reconnections the client made (httpSubscriptionLink resumes with lastEventId). */
  reconnects: number;
}

export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

export function createClientStream(tag: string): ClientStream {
  return {
    tag,
    startedAt: 0,
    acceptedAt: undefined,
    openedAt: undefined,
    text: '',
    receiptTimes: [],
    receiptEnds: [],
    ended: false,
    endStatus: undefined,
    error: undefined,
    reconnects: 0,
  };
}

/** Notes text that arrived: the new whole text and when. */
export function receiveText(stream: ClientStream, text: string): void {
  stream.text = text;
  stream.receiptTimes.push(wallClock());
  stream.receiptEnds.push(text.length);
}

export interface LoadOptions {
  /** The system under test's base URL. */
  url: string;
  runId: string;
  streams: number;
  /** Upstream pieces per stream (the simulator's `length-after-<K>`). */
  pieces: number;
  /** Stream starts are spread evenly over this window. */
  rampMs: number;
  /** Aborted at the run's deadline: every client stops. */
  signal: AbortSignal;
}

export interface LoadResult {
  streams: ClientStream[];
  /** Most streams open at once, as the clients counted them. */
  peakOpenStreams: number;
}

/** Counts streams between their response and their end. */
export function createOpenCounter() {
  let open = 0;
  let peak = 0;
  return {
    opened() {
      open += 1;
      peak = Math.max(peak, open);
    },
    closed() {
      open -= 1;
    },
    get peak() {
      return peak;
    },
  };
}

export function delayUntil(time: number, signal: AbortSignal): Promise<void> {
  const wait = time - wallClock();
  if (wait <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
