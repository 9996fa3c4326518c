import type { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../src/routers/app-router';
import {
  createUser,
  type SluiceClient,
  startTestStack,
  type TestStack,
} from './support/test-stack';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

interface OpenSubscription {
  started: Promise<void>;
  failed: Promise<TRPCClientError<AppRouter>>;
  unsubscribe(): void;
}

/**
 * A chat.events subscription through the real httpSubscriptionLink (it stays open while idle),
 * by default as the stack's admin.
 */
function openChatSubscription(
  sessionId: string,
  client: SluiceClient = stack.client,
): OpenSubscription {
  let started!: () => void;
  let failed!: (error: TRPCClientError<AppRouter>) => void;
  const result = {
    started: new Promise<void>((resolve) => {
      started = resolve;
    }),
    failed: new Promise<TRPCClientError<AppRouter>>((resolve) => {
      failed = resolve;
    }),
  };
  const subscription = client.chat.events.subscribe(
    { sessionId },
    { onStarted: () => started(), onError: (error) => failed(error) },
  );
  return { ...result, unsubscribe: () => subscription.unsubscribe() };
}

/** A raw GET of chat.events with an API key (by default the admin's, as `stack.client`). */
function fetchEvents(
  sessionId: string,
  options: { apiKey?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const input = encodeURIComponent(JSON.stringify({ sessionId }));
  return fetch(`${stack.url}/trpc/chat.events?input=${input}`, {
    headers: { authorization: `Bearer ${options.apiKey ?? stack.admin.apiKey}` },
    signal: options.signal,
  });
}

async function refusal(response: Response) {
  const body = (await response.json()) as {
    error: { message: string; data: { code: string; httpStatus: number } };
  };
  return { status: response.status, ...body.error };
}

/** Waits until the subscription starts; fails at once, with its message, if it is refused. */
async function expectStarted(subscription: OpenSubscription): Promise<void> {
  const outcome = await Promise.race([
    subscription.started.then(() => 'started'),
    subscription.failed.then((error) => `refused: ${error.message}`),
  ]);
  expect(outcome).toBe('started');
}

async function waitForOpen(count: number): Promise<void> {
  await vi.waitFor(() => expect(stack.app.subscriptions.stats().open).toBe(count), {
    timeout: 10_000,
  });
}

describe('subscription caps', () => {
  it('refuses a client past MAX_SUBSCRIPTIONS_PER_CLIENT with 429, and accepts it again after one closes', async () => {
    stack = await startTestStack({
      env: { MAX_SUBSCRIPTIONS_PER_CLIENT: '2', MAX_SUBSCRIPTIONS: '100' },
    });
    const session = await stack.client.chat.createSession.mutate({ title: 'Caps' });
    const first = openChatSubscription(session.id);
    const second = openChatSubscription(session.id);
    await Promise.all([first.started, second.started]);

    const third = openChatSubscription(session.id);
    const error = await third.failed;
    expect(error.message).toContain('429');
    const raw = await refusal(await fetchEvents(session.id));
    expect(raw).toMatchObject({
      status: 429,
      data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 },
    });
    expect(raw.message).toContain('MAX_SUBSCRIPTIONS_PER_CLIENT');
    expect(raw.message).toContain('at most 2');

    // The cap counts per account: another user, from the same address, is not affected.
    const other = await createUser(stack);
    const otherSession = await other.client.chat.createSession.mutate({ title: 'Mine' });
    const others = [
      openChatSubscription(otherSession.id, other.client),
      openChatSubscription(otherSession.id, other.client),
    ];
    await Promise.all(others.map(expectStarted));
    expect(stack.app.subscriptions.stats().open).toBe(4);
    for (const subscription of others) subscription.unsubscribe();
    await waitForOpen(2);

    first.unsubscribe();
    await waitForOpen(1);
    const again = openChatSubscription(session.id);
    await again.started;
    expect(stack.app.subscriptions.stats().open).toBe(2);
    second.unsubscribe();
    again.unsubscribe();
    await waitForOpen(0);
  });

  it('refuses past the global MAX_SUBSCRIPTIONS with a message naming it', async () => {
    stack = await startTestStack({
      env: { MAX_SUBSCRIPTIONS_PER_CLIENT: '10', MAX_SUBSCRIPTIONS: '2' },
    });
    const session = await stack.client.chat.createSession.mutate({ title: 'Global cap' });
    const held = [openChatSubscription(session.id), openChatSubscription(session.id)];
    await Promise.all(held.map((subscription) => subscription.started));

    const error = await openChatSubscription(session.id).failed;
    expect(error.message).toContain('429');
    const raw = await refusal(await fetchEvents(session.id));
    expect(raw.status).toBe(429);
    expect(raw.message).toContain('MAX_SUBSCRIPTIONS)');
    expect(raw.message).toContain('at most 2');
    // The global cap counts every account: another user is refused too.
    const other = await createUser(stack);
    const otherSession = await other.client.chat.createSession.mutate({ title: 'Mine' });
    const otherRaw = await refusal(await fetchEvents(otherSession.id, { apiKey: other.apiKey }));
    expect(otherRaw.status).toBe(429);
    expect(otherRaw.message).toContain('MAX_SUBSCRIPTIONS)');

    held[0]?.unsubscribe();
    await waitForOpen(1);
    await openChatSubscription(session.id).started;
  });

  it('counts exactly under concurrency: of 12 simultaneous requests, exactly the cap is served', async () => {
    stack = await startTestStack({
      env: { MAX_SUBSCRIPTIONS_PER_CLIENT: '5', MAX_SUBSCRIPTIONS: '100' },
    });
    const session = await stack.client.chat.createSession.mutate({ title: 'Burst' });
    const other = await createUser(stack);
    const otherSession = await other.client.chat.createSession.mutate({ title: 'Mine' });
    const controller = new AbortController();
    // All twelve as one user (the admin's key): the cap counts per account.
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => fetchEvents(session.id, { signal: controller.signal })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
    expect(stack.app.subscriptions.stats().open).toBe(5);
    // Another user is served while the admin is at the cap.
    const otherResponse = await fetchEvents(otherSession.id, {
      apiKey: other.apiKey,
      signal: controller.signal,
    });
    expect(otherResponse.status).toBe(200);
    await waitForOpen(6);
    controller.abort();
    await waitForOpen(0);
  });

  it('releases the slot when the server ends the stream or the subscription fails', async () => {
    stack = await startTestStack({
      env: { MAX_SUBSCRIPTIONS_PER_CLIENT: '1', MAX_SUBSCRIPTIONS: '100' },
    });
    const { planId } = await stack.client.plan.create.mutate({ goals: 'Learn to juggle' });
    // A finished plan's stream ends after `end`; three in a row fit in a cap of one.
    for (let round = 0; round < 3; round++) {
      const ended = new Promise<void>((resolve, reject) => {
        stack.client.plan.events.subscribe(
          { planId },
          {
            onData: (event) => event.data.type === 'end' && resolve(),
            onError: reject,
          },
        );
      });
      await ended;
      await waitForOpen(0);
    }
    // An unknown plan fails with NOT_FOUND (not 429), every time.
    for (let round = 0; round < 3; round++) {
      const error = await new Promise<TRPCClientError<AppRouter>>((resolve) => {
        stack.client.plan.events.subscribe({ planId: 'missing' }, { onError: resolve });
      });
      expect(error.data?.code).toBe('NOT_FOUND');
      await waitForOpen(0);
    }
  });
});
