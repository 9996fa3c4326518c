import type { ServerResponse } from 'node:http';
import { formatDataFrame, type SseFrame, type TextDeltaData } from './sse-frames';

/** Consecutive text-deltas queued while the socket was not writable, written as one frame. */
interface JoinedDelta {
  event: TextDeltaData;
  texts: string[];
  id: string | undefined;
}

function bytesOf(entry: Buffer | JoinedDelta): Buffer {
  if (Buffer.isBuffer(entry)) return entry;
  return formatDataFrame({ ...entry.event, text: entry.texts.join('') }, entry.id).bytes;
}

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
 * while the socket drains. While the socket is not writable, consecutive text-deltas
 * (of the same message) are joined into one frame carrying the later id, so a slow
 * reader gets fewer, larger deltas instead of one queued frame per token. Past
 * `maxQueuedBytes` the queue is dropped and the stream ends without `return`, so the
 * client reconnects with its last event id.
 */
export function createSseConnection(options: SseConnectionOptions) {
  const { response } = options;
  let queue: Array<Buffer | JoinedDelta> = [];
  /** The last queued entry is a text-delta that later ones may join (this frame's, or joined). */
  let lastDelta: { frame: SseFrame | undefined; joined: JoinedDelta | undefined } | undefined;
  let joinedDeltas = 0;
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
      if (frame.delta && lastDelta && response.writableNeedDrain && joins(frame.delta.event)) {
        let joined = lastDelta.joined;
        if (!joined) {
          const previous = lastDelta.frame?.delta as NonNullable<SseFrame['delta']>;
          joined = { event: previous.event, texts: [previous.event.text], id: previous.id };
          queue[queue.length - 1] = joined;
          lastDelta = { frame: undefined, joined };
        }
        joined.texts.push(frame.delta.event.text);
        joined.id = frame.delta.id;
        joinedDeltas += 1;
        // The frame's size bounds what joining its text adds.
        queuedBytes += size;
        if (queuedBytes > maxQueuedBytes) maxQueuedBytes = queuedBytes;
        options.scheduler.request(connection);
        return true;
      }
      queue.push(frame.bytes);
      lastDelta = frame.delta ? { frame, joined: undefined } : undefined;
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
        lastDelta = undefined;
        queuedBytes = 0;
        lastWriteAt = Date.now();
        if (batch.length === 1) {
          response.write(bytesOf(batch[0] as Buffer | JoinedDelta));
        } else {
          response.cork();
          for (const entry of batch) response.write(bytesOf(entry));
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
    /** Text-deltas joined into a queued one instead of queued on their own. */
    get joinedDeltas() {
      return joinedDeltas;
    },
  };

  /** A delta joins the queued one when both belong to the same message (chat) or stream (plans). */
  function joins(event: TextDeltaData): boolean {
    const previous = lastDelta?.joined?.event ?? lastDelta?.frame?.delta?.event;
    return previous !== undefined && previous.messageId === event.messageId;
  }

  function overflow(): void {
    queue = [];
    lastDelta = undefined;
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
    lastDelta = undefined;
    queuedBytes = 0;
    settleFlushWaiters();
    if (lingerTimer) clearTimeout(lingerTimer);
  });

  return connection;
}

export type SseConnection = ReturnType<typeof createSseConnection>;
