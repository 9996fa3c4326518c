import type { LoggedEvent } from './stream-log';

/**
 * Buffers live events for one subscriber until its connection takes them.
 * Consecutive text-deltas (of the same message) are merged while waiting, so a slow
 * reader gets fewer, larger deltas instead of an ever longer queue. Ends when the
 * signal aborts, or after `end()`/`fail()` once what was queued before has been read.
 */
export function createSubscriberQueue<
  TEvent extends { type: string },
  TItem extends { id: string; event: TEvent } = LoggedEvent<TEvent>,
>(signal: AbortSignal) {
  const items: TItem[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: { error: unknown } | undefined;
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });

  function push(item: TItem): void {
    const last = items.at(-1);
    if (
      last &&
      last.event.type === 'text-delta' &&
      item.event.type === 'text-delta' &&
      (last as { messageId?: unknown }).messageId === (item as { messageId?: unknown }).messageId
    ) {
      const merged = {
        ...item.event,
        text:
          (last.event as unknown as { text: string }).text +
          (item.event as unknown as { text: string }).text,
      };
      items[items.length - 1] = { ...item, event: merged };
    } else {
      items.push(item);
    }
    wake?.();
  }

  async function* drain(): AsyncGenerator<TItem> {
    try {
      while (!signal.aborted) {
        const item = items.shift();
        if (item) {
          yield item;
          continue;
        }
        if (failure) throw failure.error;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    push,
    drain,
    /** No more items: the reader ends once it has read what is queued. */
    end(): void {
      ended = true;
      wake?.();
    },
    /** The source failed: the reader gets the error once it has read what is queued. */
    fail(error: unknown): void {
      failure ??= { error };
      wake?.();
    },
  };
}
