import type { AppRouter } from '@sluice/server';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import { EventSource } from 'eventsource';

export type SluiceClient = TRPCClient<AppRouter>;

/** A typed client for the server at `serverUrl` (its base URL, without `/trpc`). */
export function createSluiceClient(serverUrl: string): SluiceClient {
  const url = `${serverUrl.replace(/\/+$/, '')}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource }),
        // Below the server's MAX_BATCH_SIZE (default 50), which refuses larger batches.
        false: httpBatchLink({ url, maxItems: 20 }),
      }),
    ],
  });
}
