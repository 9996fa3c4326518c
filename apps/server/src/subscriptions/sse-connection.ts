import type { ServerResponse } from 'node:http';
import type { SseFrame } from './sse-frames';

/**
 * Runs flushes a slice at a time, so writing one event to thousands of sockets
 * never holds the event loop for long: other requests (`/healthz`) get a turn
 * between slices, and events that arrive meanwhile are written together.
 */
export function createFlushScheduler(options: { sliceSize: number }) {
  const pending = new Set<{ flush(): void }>();
  let turns: Array<() => void> = [];
  let scheduled = false;

  function run(): void {
    scheduled = false;
    let done = 0;
    for (const connection of pending) {
      pending.delete(connection);
      connection.flush();
      done += 1;
      if (done >= options.sliceSize) break;
    }
    const released = turns.length <= options.sliceSize ? turns : turns.slice(0, options.sliceSize);
    turns = released === turns ? [] : turns.slice(options.sliceSize);
    for (const resolve of released) resolve();
    if (pending.size > 0 || turns.length > 0) schedule();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  }

  return {
    request(connection: { flush(): void }): void {
      pending.add(connection);
      schedule();
    },
    /**
     * Resolves in a later slice: readers that wait for their turn resume a slice at a
     * time instead of all at once when an event is published.
     */
    turn(): Promise<void> {
      return new Promise((resolve) => {
        turns.push(resolve);
        schedule();
      });
    },
    get pending() {
      return pending.size;
    },
  };
}

export type FlushScheduler = ReturnType<typeof createFlushScheduler>;

export interface SseConnectionOptions {
  response: ServerResponse;
  scheduler: FlushScheduler;
  /** Bytes a subscriber may have waiting while its socket does not drain. */
  maxQueuedBytes: number;
  /** Called once when the queue overflowed and the stream was ended. */
  onOverflow: () => void;
  /** A stream ended for overflow whose client still reads nothing is destroyed after this. */
  lingerMs: number;
}

/**
 * One subscriber's stream: frames are queued, written a batch at a time and only
 * while the socket drains. Past `maxQueuedBytes` the queue is dropped and the
 * stream ends without `return`, so the client reconnects with its last event id.
 */
export function createSseConnection(options: SseConnectionOptions) {
  const { response } = options;
  let queue: Buffer[] = [];
  let queuedBytes = 0;
  let maxQueuedBytes = 0;
  let ending = false;
  let closed = false;
  let lastWriteAt = Date.now();
  let lingerTimer: NodeJS.Timeout | undefined;
  let flushWaiters: Array<() => void> = [];

  function settleFlushWaiters(): void {
    const waiters = flushWaiters;
    flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  const connection = {
    /** Queues a frame; false when the connection is closed or ending. */
    send(frame: SseFrame): boolean {
      if (closed || ending) return false;
      const size = frame.bytes.length;
      if (queue.length > 0 && queuedBytes + size > options.maxQueuedBytes) {
        // A burst on a socket that drains is written at once; only a stuck one overflows.
        if (response.writableNeedDrain) {
          overflow();
          return false;
        }
        connection.flush();
      }
      queue.push(frame.bytes);
      queuedBytes += size;
      if (queuedBytes > maxQueuedBytes) maxQueuedBytes = queuedBytes;
      options.scheduler.request(connection);
      return true;
    },
    /** Writes what is queued, unless the socket has not drained yet. */
    flush(): void {
      if (closed) return;
      if (queue.length > 0 && !response.writableNeedDrain) {
        const batch = queue;
        queue = [];
        queuedBytes = 0;
        lastWriteAt = Date.now();
        if (batch.length === 1) {
          response.write(batch[0]);
        } else {
          response.cork();
          for (const bytes of batch) response.write(bytes);
          response.uncork();
        }
      }
      if (queue.length === 0) settleFlushWaiters();
      if (ending && queue.length === 0) response.end();
    },
    /**
     * Resolves once what is queued now has been handed to the socket. A reader that waits
     * for this before taking the next event lets the events that arrive meanwhile merge
     * (consecutive text deltas become one), so a busy server writes less often, not later.
     */
    flushed(): Promise<void> {
      if (closed || queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => flushWaiters.push(resolve));
    },
    /** True while the socket has not drained what it was given. */
    get blocked() {
      return response.writableNeedDrain;
    },
    /** Ends the stream once everything queued is written. */
    end(): void {
      if (closed || ending) return;
      ending = true;
      options.scheduler.request(connection);
    },
    get closed() {
      return closed;
    },
    get idleSince() {
      return lastWriteAt;
    },
    /** Bytes waiting now, and the most that ever waited. */
    get queuedBytes() {
      return queuedBytes;
    },
    get maxQueuedBytes() {
      return maxQueuedBytes;
    },
  };

  function overflow(): void {
    queue = [];
    queuedBytes = 0;
    settleFlushWaiters();
    ending = true;
    options.onOverflow();
    // What the socket already holds is still delivered; the client then reconnects.
    response.end();
    lingerTimer = setTimeout(() => response.destroy(), options.lingerMs);
    lingerTimer.unref();
  }

  response.on('drain', () => options.scheduler.request(connection));
  response.on('close', () => {
    closed = true;
    queue = [];
    queuedBytes = 0;
    settleFlushWaiters();
    if (lingerTimer) clearTimeout(lingerTimer);
  });

  return connection;
}

export type SseConnection = ReturnType<typeof createSseConnection>;
