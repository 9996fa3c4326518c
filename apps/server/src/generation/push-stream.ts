/** Takes a stream's values as they are produced. */
export interface PushSink<T> {
  next(value: T): void;
  /** The stream ended after its last value. */
  complete(): void;
  /** The stream failed (e.g. its generation could not be read). */
  error(error: unknown): void;
}

/**
 * A subscriber's events, as an async iterable (tRPC's own SSE path, callers) or pushed: a
 * writer that `pipe`s it gets every value synchronously, in the call that produced it (the
 * bus's publish), with no promise, generator step or queue per value. Whoever produces
 * the values stops on the subscriber's abort signal.
 */
export interface PushStream<T> extends AsyncIterable<T> {
  /** Delivers every value to `sink`. Once per stream, and not together with iterating it. */
  pipe(sink: PushSink<T>): void;
}

/**
 * Starts producing into `sink` and returns the function that stops it (idempotent). The
 * producer calls `complete` or `error` at most once, and nothing after either.
 */
export type PushProducer<T> = (sink: PushSink<T>) => () => void;

export function isPushStream(value: unknown): value is PushStream<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { pipe?: unknown }).pipe === 'function' &&
    Symbol.asyncIterator in value
  );
}

/**
 * A push stream over `produce`; iterating it reads the same values through a buffer made
 * by `createBuffer` (e.g. one that merges waiting text-deltas).
 */
export function createPushStream<T>(
  produce: PushProducer<T>,
  createBuffer: () => {
    push(value: T): void;
    end(): void;
    fail(error: unknown): void;
    drain(): AsyncGenerator<T>;
  },
): PushStream<T> {
  return {
    pipe(sink) {
      produce(sink);
    },
    async *[Symbol.asyncIterator]() {
      const buffer = createBuffer();
      const stop = produce({
        next: (value) => buffer.push(value),
        complete: () => buffer.end(),
        error: (error) => buffer.fail(error),
      });
      try {
        yield* buffer.drain();
      } finally {
        stop();
      }
    },
  };
}

/** The same stream with every value mapped (both when piped and when iterated). */
export function mapPushStream<T, U>(source: PushStream<T>, map: (value: T) => U): PushStream<U> {
  return {
    pipe(sink) {
      source.pipe({
        next: (value) => sink.next(map(value)),
        complete: () => sink.complete(),
        error: (error) => sink.error(error),
      });
    },
    async *[Symbol.asyncIterator]() {
      for await (const value of source) yield map(value);
    },
  };
}
