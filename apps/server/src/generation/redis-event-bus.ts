import type { Redis } from 'ioredis';
import type { EventBus } from './event-bus';
import type { RedisChannelListener } from './redis-channel-listener';

/**
 * A Redis stream per generation: every message it published, in order, readable by any
 * instance until a while after its last one.
 */
export interface RedisEventHistory<TMessage> {
  /** The stream a message belongs to (its generation's id). */
  streamOf(message: TMessage): string;
  /** The stream's last message (the generation's `end`): it is trimmed after `retainMs`. */
  isLast(message: TMessage): boolean;
  /** The longest a stream is kept while it runs (an owner that died never ends it). */
  lifetimeMs: number;
  /** How long a finished stream stays readable after its last message. */
  retainMs: number;
}

export interface RedisEventBusOptions<TMessage> {
  /** A connection in normal mode (not subscribed). */
  publisher: Redis;
  channels: RedisChannelListener;
  /** Prefix of every channel and key, shared by every instance (`sluice:plan:`). */
  prefix: string;
  history?: RedisEventHistory<TMessage>;
  onError?: (error: unknown) => void;
}

export interface RedisEventBus<TMessage> extends EventBus<TMessage> {
  /**
   * Resolves once the subscriptions to `topic` made so far receive every message published
   * from now on. Read the history only after it: nothing falls between the two.
   */
  subscribed(topic: string): Promise<void>;
  /** Appends to the message's stream without delivering it live (text a continuation starts from). */
  record(message: TMessage): void;
  /** Every message of a stream so far, oldest first; undefined when the stream does not exist. */
  history(stream: string): Promise<TMessage[] | undefined>;
  /** Removes a stream now (its generation was recovered). */
  forget(stream: string): Promise<void>;
}

const messageField = 'm';

/**
 * Carries messages between instances. Live delivery is Redis pub/sub on `prefix + topic`
 * (one subscriber connection per process, shared); with a history, each message is also
 * appended to its stream, in the same pipeline and before it is published, so a
 * subscriber that subscribed first and then reads the stream misses nothing.
 */
export function createRedisEventBus<TMessage>(
  options: RedisEventBusOptions<TMessage>,
): RedisEventBus<TMessage> {
  const { publisher, channels, prefix, history } = options;
  const onError = options.onError ?? (() => {});
  /** Streams this process has written to and not ended: their lifetime is already set. */
  const open = new Set<string>();
  const streamKey = (stream: string) => `${prefix}stream:${stream}`;
  // A message goes to every subscriber of its topic one after the other: parse it once for all.
  let lastEncoded: string | undefined;
  let lastDecoded: TMessage | undefined;
  const decode = (encoded: string): TMessage => {
    if (encoded !== lastEncoded) {
      lastDecoded = JSON.parse(encoded) as TMessage;
      lastEncoded = encoded;
    }
    return lastDecoded as TMessage;
  };

  function append(message: TMessage, encoded: string, topic: string | undefined): void {
    const pipeline = publisher.pipeline();
    if (history) {
      const stream = history.streamOf(message);
      const key = streamKey(stream);
      pipeline.xadd(key, '*', messageField, encoded);
      if (history.isLast(message)) {
        open.delete(stream);
        pipeline.pexpire(key, history.retainMs);
      } else if (!open.has(stream)) {
        open.add(stream);
        pipeline.pexpire(key, history.lifetimeMs);
      }
    }
    if (topic !== undefined) pipeline.publish(prefix + topic, encoded);
    pipeline.exec().then((results) => {
      for (const [error] of results ?? []) if (error) onError(error);
    }, onError);
  }

  return {
    publish(topic, message) {
      append(message, JSON.stringify(message), topic);
    },
    subscribe(topic, listener) {
      const subscription = channels.listen(prefix + topic, (encoded) => {
        listener(decode(encoded));
      });
      return () => subscription.close();
    },
    subscribed(topic) {
      return channels.ready(prefix + topic);
    },
    record(message) {
      if (!history) return;
      append(message, JSON.stringify(message), undefined);
    },
    async history(stream) {
      if (!history) return undefined;
      const entries = await publisher.xrange(streamKey(stream), '-', '+');
      if (entries.length === 0) return undefined;
      return entries.map(([, fields]) => {
        const index = fields.indexOf(messageField);
        return JSON.parse(fields[index + 1] as string) as TMessage;
      });
    },
    async forget(stream) {
      open.delete(stream);
      await publisher.del(streamKey(stream));
    },
  };
}
