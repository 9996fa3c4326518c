import { Redis } from 'ioredis';

export interface RedisConnections {
  /** Commands, publishing, streams. */
  commands: Redis;
  /** Subscriber mode only (SUBSCRIBE / UNSUBSCRIBE). */
  subscriber: Redis;
  /** Answers while Redis does (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The two connections one process keeps to Redis. Commands wait for a reconnect rather
 * than fail at once; a subscriber connection that reconnects subscribes again by itself.
 */
export function createRedisConnections(url: string, name = 'sluice'): RedisConnections {
  const options = { connectionName: name, maxRetriesPerRequest: 3, lazyConnect: false };
  const commands = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, connectionName: `${name}-subscriber` });
  // Errors are reported through the commands that fail; without a listener ioredis prints them.
  commands.on('error', () => {});
  subscriber.on('error', () => {});
  return {
    commands,
    subscriber,
    async ping() {
      try {
        return (await commands.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
    },
  };
}
