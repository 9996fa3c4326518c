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

/**
 * A typed client for the server at `serverUrl` (its base URL, without `/trpc`). The API key
 * goes on every request, the event streams and their reconnects included.
 */
export function createSluiceClient(serverUrl: string, apiKey?: string): SluiceClient {
  const url = `${serverUrl.replace(/\/+$/, '')}/trpc`;
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
          }),
        }),
        // Below the server's MAX_BATCH_SIZE (default 50), which refuses larger batches.
        false: httpBatchLink({ url, maxItems: 20, headers }),
      }),
    ],
  });
}
