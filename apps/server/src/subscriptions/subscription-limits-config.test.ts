import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../env';

describe('subscription limits configuration', () => {
  it('defaults to 100 per client, 10,000 in all and 1 MiB queued per subscriber', () => {
    expect(loadConfig({}).subscriptions).toEqual({
      maxPerClient: 100,
      maxTotal: 10_000,
      maxQueuedBytes: 1_048_576,
    });
    expect(
      loadConfig({
        MAX_SUBSCRIPTIONS_PER_CLIENT: '3',
        MAX_SUBSCRIPTIONS: '50',
        MAX_SUBSCRIBER_QUEUE_BYTES: '65536',
      }).subscriptions,
    ).toEqual({ maxPerClient: 3, maxTotal: 50, maxQueuedBytes: 65_536 });
  });

  it('refuses a cap of zero or a queue bound that is not a number, naming the variable', () => {
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_CLIENT: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_SUBSCRIBER_QUEUE_BYTES: 'lots' })).toThrow(
      /MAX_SUBSCRIBER_QUEUE_BYTES/,
    );
  });
});
