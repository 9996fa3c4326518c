import type { AppRouter } from '@sluice/server';
import { MutationCache, QueryCache, QueryClient, type QueryKey } from '@tanstack/react-query';
import {
  httpBatchLink,
  httpSubscriptionLink,
  isTRPCClientError,
  splitLink,
  type TRPCLink,
} from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';

/** The typed React bindings for the Sluice API. */
export const trpc = createTRPCReact<AppRouter>();

/** Same origin in production (the server serves the app); Vite proxies it in development. */
const apiUrl = '/trpc';

/** Calls per HTTP batch: below the server's MAX_BATCH_SIZE (default 50), which refuses larger ones. */
export const maxBatchItems = 20;

/** Subscriptions over Server-Sent Events, everything else batched over HTTP. */
export function createLinks(url: string = apiUrl): TRPCLink<AppRouter>[] {
  return [
    splitLink({
      condition: (operation) => operation.type === 'subscription',
      true: httpSubscriptionLink({ url }),
      false: httpBatchLink({ url, maxItems: maxBatchItems }),
    }),
  ];
}

export function createTrpcClient() {
  return trpc.createClient({ links: createLinks() });
}

/** Client errors (bad input, unknown ids) are answers, not blips: only retry the rest. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 3) return false;
  const status = isTRPCClientError(error) ? error.data?.httpStatus : undefined;
  return status === undefined || status >= 500;
}

/** The query that says who is signed in: the auth gate reads it. */
export const meQueryKey = [['account', 'me']];

function isMeQuery(queryKey: QueryKey): boolean {
  const path = queryKey[0];
  return Array.isArray(path) && path.join('.') === 'account.me';
}

export function isUnauthorizedError(error: unknown): boolean {
  return isTRPCClientError(error) && error.data?.code === 'UNAUTHORIZED';
}

export function createQueryClient(): QueryClient {
  // Any answer of UNAUTHORIZED (the session expired, the user signed out in another tab) asks
  // account.me again; its UNAUTHORIZED sends the app to the sign-in page.
  const recheckSession = (error: unknown, queryKey?: QueryKey) => {
    if (!isUnauthorizedError(error) || (queryKey && isMeQuery(queryKey))) return;
    void client.invalidateQueries({ queryKey: meQueryKey });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => recheckSession(error, query.queryKey),
    }),
    mutationCache: new MutationCache({ onError: (error) => recheckSession(error) }),
    defaultOptions: {
      // Back on a tab: what changed elsewhere meanwhile (titles, lists) shows up.
      queries: { retry: shouldRetry, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
  return client;
}
