export interface SubscriptionLimits {
  /** Open subscriptions one client may hold (`MAX_SUBSCRIPTIONS_PER_CLIENT`). */
  maxPerClient: number;
  /** Open subscriptions in all (`MAX_SUBSCRIPTIONS`). */
  maxTotal: number;
}

export type SubscriptionGrant =
  | { granted: true /** Idempotent: call it however the subscription ends. */; release: () => void }
  | {
      granted: false;
      limit: 'MAX_SUBSCRIPTIONS_PER_CLIENT' | 'MAX_SUBSCRIPTIONS';
      message: string;
    };

export interface SubscriptionLimiter {
  /** Takes a slot for `clientKey` synchronously, so concurrent requests are counted exactly. */
  acquire(clientKey: string): SubscriptionGrant;
  readonly open: number;
  openFor(clientKey: string): number;
}

/** Counts open subscriptions per client and in all; refuses past either limit. */
export function createSubscriptionLimiter(limits: SubscriptionLimits): SubscriptionLimiter {
  const perClient = new Map<string, number>();
  let open = 0;

  return {
    acquire(clientKey) {
      const held = perClient.get(clientKey) ?? 0;
      if (held >= limits.maxPerClient) {
        return {
          granted: false,
          limit: 'MAX_SUBSCRIPTIONS_PER_CLIENT',
          message: `Too many open subscriptions from this client: at most ${limits.maxPerClient} (MAX_SUBSCRIPTIONS_PER_CLIENT). Close one and try again.`,
        };
      }
      if (open >= limits.maxTotal) {
        return {
          granted: false,
          limit: 'MAX_SUBSCRIPTIONS',
          message: `The server has too many open subscriptions: at most ${limits.maxTotal} (MAX_SUBSCRIPTIONS). Try again later.`,
        };
      }
      perClient.set(clientKey, held + 1);
      open += 1;
      let released = false;
      return {
        granted: true,
        release() {
          if (released) return;
          released = true;
          open -= 1;
          const remaining = (perClient.get(clientKey) ?? 1) - 1;
          if (remaining > 0) perClient.set(clientKey, remaining);
          else perClient.delete(clientKey);
        },
      };
    },
    get open() {
      return open;
    },
    openFor: (clientKey) => perClient.get(clientKey) ?? 0,
  };
}
