import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type ContentAppend, createContentFlusher } from './content-flusher';

function recordingFlusher(options: { intervalMs: number; maxPendingChars: number }) {
  const batches: ContentAppend[][] = [];
  let batchWritten = () => {};
  const flusher = createContentFlusher({
    ...options,
    logger: pino({ level: 'silent' }),
    write: async (appends) => {
      batches.push(appends);
      batchWritten();
    },
  });
  /** Resolves once a batch has been written (at once if one was). */
  const written = () =>
    batches.length > 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          batchWritten = resolve;
        });
  return { flusher, batches, written };
}

describe('content flusher', () => {
  it('does not write per token: appends wait for the interval and go out in one batch', async () => {
    const { flusher, batches, written } = recordingFlusher({
      intervalMs: 40,
      maxPendingChars: 1000,
    });
    for (const piece of ['a', 'b', 'c']) flusher.append('p1', piece);
    flusher.append('p2', 'x');
    expect(batches).toHaveLength(0);
    await written();
    expect(batches).toEqual([
      [
        { id: 'p1', text: 'abc' },
        { id: 'p2', text: 'x' },
      ],
    ]);
  });

  it('flushes at once when a generation has too much unwritten text', async () => {
    const { flusher, batches, written } = recordingFlusher({
      intervalMs: 60_000,
      maxPendingChars: 5,
    });
    flusher.append('p1', 'abc');
    flusher.append('p1', 'def');
    // Long before the interval: only the size limit can have written it.
    await written();
    expect(batches[0]).toEqual([{ id: 'p1', text: 'abcdef' }]);
    await flusher.close();
  });

  it('forgets discarded text and flushes the rest on close', async () => {
    const { flusher, batches } = recordingFlusher({ intervalMs: 60_000, maxPendingChars: 1000 });
    flusher.append('gone', 'x');
    flusher.append('kept', 'y');
    flusher.discard('gone');
    await flusher.close();
    expect(batches).toEqual([[{ id: 'kept', text: 'y' }]]);
  });

  it('keeps going when a write fails', async () => {
    let calls = 0;
    const flusher = createContentFlusher({
      intervalMs: 60_000,
      maxPendingChars: 1000,
      logger: pino({ level: 'silent' }),
      write: async () => {
        calls += 1;
        if (calls === 1) throw new Error('disk full');
      },
    });
    flusher.append('p1', 'a');
    await flusher.flush();
    flusher.append('p1', 'b');
    await flusher.flush();
    expect(calls).toBe(2);
  });
});
