import type { Redis } from 'ioredis';

export interface ChannelSubscription {
  /** Resolves once Redis has confirmed the channel: every message published from then on arrives. */
  readonly ready: Promise<void>;
  close(): void;
}

export interface RedisChannelListener {
  listen(channel: string, listener: (message: string) => void): ChannelSubscription;
  /** Resolves once the channel's subscription (if any) is confirmed. */
  ready(channel: string): Promise<void>;
  /** Channels this process is subscribed to now. */
  readonly channelCount: number;
}

/**
 * One subscriber connection shared by everything in the process that listens to Redis
 * channels (the buses, the control channel): SUBSCRIBE when a channel gets its first
 * listener, UNSUBSCRIBE when it loses its last, and messages handed out by channel.
 * Commands on one connection run in order, so a quick unsubscribe and subscribe again
 * leaves the channel subscribed.
 */
export function createRedisChannelListener(
  subscriber: Redis,
  onError: (error: unknown) => void = () => {},
): RedisChannelListener {
  const channels = new Map<
    string,
    { listeners: Set<(message: string) => void>; ready: Promise<void> }
  >();

  subscriber.on('message', (channel: string, message: string) => {
    const entry = channels.get(channel);
    if (!entry) return;
    for (const listener of entry.listeners) {
      try {
        listener(message);
      } catch (error) {
        onError(error);
      }
    }
  });

  return {
    listen(channel, listener) {
      let entry = channels.get(channel);
      if (!entry) {
        const ready = subscriber.subscribe(channel).then(
          () => undefined,
          (error: unknown) => {
            onError(error);
            throw error;
          },
        );
        // A listener that never awaits `ready` must not leave an unhandled rejection.
        ready.catch(() => {});
        entry = { listeners: new Set(), ready };
        channels.set(channel, entry);
      }
      const current = entry;
      current.listeners.add(listener);
      let closed = false;
      return {
        ready: current.ready,
        close() {
          if (closed) return;
          closed = true;
          current.listeners.delete(listener);
          if (current.listeners.size > 0 || channels.get(channel) !== current) return;
          channels.delete(channel);
          subscriber.unsubscribe(channel).catch(onError);
        },
      };
    },
    ready(channel) {
      return channels.get(channel)?.ready ?? Promise.resolve();
    },
    get channelCount() {
      return channels.size;
    },
  };
}
