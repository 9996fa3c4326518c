import type { LoggedEvent } from './stream-log';

/**
 * Buffers live events for one subscriber until its connection takes them.
 * Consecutive text-deltas are merged while waiting, so a slow reader gets fewer,
 * larger deltas instead of an ever longer queue. Ends when the signal aborts.
 */
export function createSubscriberQueue<TEvent extends { type: string }>(signal: AbortSignal) {
  const items: Array<LoggedEvent<TEvent>> = [];
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });

  function push(item: LoggedEvent<TEvent>): void {
    const last = items.at(-1);
    if (last && last.event.type === 'text-delta' && item.event.type === 'text-delta') {
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

  async function* drain(): AsyncGenerator<LoggedEvent<TEvent>> {
    try {
      while (!signal.aborted) {
        const item = items.shift();
        if (item) {
          yield item;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  return { push, drain };
}
