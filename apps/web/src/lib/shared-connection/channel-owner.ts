import type { ChannelMessage, OwnerMessage, TabMessage } from './channel-messages';
import type { WatchMultiplexer } from './watch-multiplexer';

export interface ChannelOwner {
  receive(message: TabMessage): void;
  /** Tabs with channels open here. */
  readonly tabs: ReadonlySet<string>;
}

/**
 * The owner's end: every tab's channels go into the one multiplexer (one `stream.watch`),
 * and each channel's messages go back to its tab with the attempt that opened it.
 */
export function createChannelOwner(options: {
  multiplexer: WatchMultiplexer;
  post: (tab: string, message: OwnerMessage) => void;
  /** A tab opened its first channel here (the owner may watch for it going away). */
  onTab?: (tab: string) => void;
}): ChannelOwner {
  const byTab = new Map<string, Set<string>>();

  function keyOf(tab: string, channel: string): string {
    return `${tab}/${channel}`;
  }

  return {
    receive(message) {
      switch (message.type) {
        case 'open': {
          let keys = byTab.get(message.tab);
          if (!keys) {
            keys = new Set();
            byTab.set(message.tab, keys);
            options.onTab?.(message.tab);
          }
          keys.add(message.channel);
          const { tab, channel, attempt } = message;
          options.multiplexer.open(keyOf(tab, channel), message.request, (sent: ChannelMessage) => {
            if (sent.type === 'error' || sent.type === 'complete') keys.delete(channel);
            options.post(tab, { type: 'channel', tab, channel, attempt, message: sent });
          });
          return;
        }
        case 'close':
          byTab.get(message.tab)?.delete(message.channel);
          options.multiplexer.close(keyOf(message.tab, message.channel));
          return;
        case 'bye':
          for (const channel of byTab.get(message.tab) ?? []) {
            options.multiplexer.close(keyOf(message.tab, channel));
          }
          byTab.delete(message.tab);
          return;
      }
    },
    get tabs() {
      return new Set(byTab.keys());
    },
  };
}
