import type { AppRouter } from '@sluice/server';
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import type { WatchSubscribe } from './watch-multiplexer';

/** `stream.watch` over the real httpSubscriptionLink (in the SharedWorker or the leading tab). */
export function createWatchSubscribe(url = '/trpc'): WatchSubscribe {
  const client = createTRPCClient<AppRouter>({ links: [httpSubscriptionLink({ url })] });
  return (channels, handlers) => client.stream.watch.subscribe({ channels }, handlers);
}
