import type { Logger } from 'pino';

export interface ContentAppend {
  id: string;
  text: string;
}

export interface ContentFlusherOptions {
  /** Writes the batched appends, for all generations, in one transaction. */
  write: (appends: ContentAppend[]) => Promise<void>;
  /** Longest time streamed text waits before it is written. */
  intervalMs: number;
  /** A generation with this much unwritten text is flushed at once. */
  maxPendingChars: number;
  logger: Logger;
}

export interface ContentFlusher {
  append(id: string, text: string): void;
  /** Forgets unwritten text (the caller is about to write the whole content itself). */
  discard(id: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Partial content is saved on a time and size throttle, never per token: every
 * pending append of every generation goes to the database in one batch.
 */
export function createContentFlusher(options: ContentFlusherOptions): ContentFlusher {
  const pending = new Map<string, { pieces: string[]; length: number }>();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let writing: Promise<void> = Promise.resolve();

  function schedule(now: boolean): void {
    if (now && !immediate) {
      immediate = setImmediate(() => void flush());
    } else if (!timer) {
      timer = setTimeout(() => void flush(), options.intervalMs);
      timer.unref();
    }
  }

  function takeBatch(): ContentAppend[] {
    const batch: ContentAppend[] = [];
    for (const [id, entry] of pending) batch.push({ id, text: entry.pieces.join('') });
    pending.clear();
    return batch;
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
    const batch = takeBatch();
    writing = writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await options.write(batch);
      } catch (error) {
        options.logger.error(
          { err: error, generations: batch.length },
          'could not save partial content',
        );
      }
    });
    return writing;
  }

  return {
    append(id, text) {
      let entry = pending.get(id);
      if (!entry) {
        entry = { pieces: [], length: 0 };
        pending.set(id, entry);
      }
      entry.pieces.push(text);
      entry.length += text.length;
      schedule(entry.length >= options.maxPendingChars);
    },
    discard(id) {
      pending.delete(id);
    },
    flush,
    async close() {
      await flush();
    },
  };
}
