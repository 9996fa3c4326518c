import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createApiClient } from './support/chat-api';
import { planPage } from './support/plan-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment({
  // Slow enough that every plan is still being written while the tabs open, close and reload.
  tokensPerSecond: 20,
  env: { RATE_LIMIT_GENERATIONS_PER_MINUTE: '0' },
});

const planTabs = 12;

/** How long the tab's own navigation took to load, by its navigation timing. */
function loadTimeOf(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [navigation] = performance.getEntriesByType(
      'navigation',
    ) as PerformanceNavigationTiming[];
    return navigation ? navigation.loadEventEnd - navigation.startTime : Number.POSITIVE_INFINITY;
  });
}

/** SSE connections the server holds now: stream.watch ones and plan/chat.events ones. */
function openEventConnections(): number {
  const { app } = environment.server;
  return app.watches.stats().open + app.subscriptions.stats().open;
}

/** The page's path to the event connection (`data-event-connection` on <html>). */
function connectionPathOf(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.documentElement.dataset.eventConnection);
}

/**
 * Waits until the server carries `count` channels on exactly one event connection. A tab that
 * closed may hold its connection a moment longer, until the server sees the socket close.
 */
async function waitForOneConnectionWith(count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (environment.server.app.watches.stats().channels < count || openEventConnections() !== 1) {
    if (Date.now() > deadline) {
      throw new Error(
        `Expected ${count} channels on one connection, have ${JSON.stringify(environment.server.app.watches.stats())} and ${openEventConnections()} connections`,
      );
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe.each([
  { mode: 'SharedWorker', disableSharedWorker: false, expectedPath: 'shared-worker' },
  {
    mode: 'Web Locks leader (SharedWorker disabled)',
    disableSharedWorker: true,
    expectedPath: 'leader',
  },
])('one event connection per browser: $mode', ({ mode, disableSharedWorker, expectedPath }) => {
  it(`opens ${planTabs} streaming plans and a chat in ${planTabs + 1} tabs over at most one SSE connection; closing the owner and reloading a tab disturb no one`, {
    timeout: 180_000,
  }, async () => {
    const api = createApiClient(environment.server.url);
    const plans = await Promise.all(
      Array.from({ length: planTabs }, (_, index) =>
        api.plan.create.mutate({ goals: `Shared connection ${mode}: topic ${index + 1}` }),
      ),
    );
    const session = await api.chat.createSession.mutate({ title: `Shared ${mode}` });

    const first = await environment.openPage(
      `shared-connection-${disableSharedWorker ? 'fallback' : 'worker'}`,
    );
    const context = first.context();
    if (disableSharedWorker) {
      await context.addInitScript(() => {
        // Chrome on Android has none: the tabs elect a leader instead.
        delete (window as { SharedWorker?: unknown }).SharedWorker;
      });
    }
    const pages = [
      first,
      ...(await Promise.all(Array.from({ length: planTabs }, () => context.newPage()))),
    ];
    const chatTab = pages[planTabs] as Page;
    // One tab after another, each streaming before the next opens (as the user did):
    // with one connection per stream, the 7th tab could not even fetch its HTML.
    for (const [index, { planId }] of plans.entries()) {
      const page = pages[index] as Page;
      await page.goto(`/plans/${planId}`);
      await planPage(page).status.waitFor();
    }
    await chatTab.goto(`/chat/${session.id}`);
    await chatTab.getByRole('log', { name: 'Conversation' }).waitFor();

    // Every tab loaded within 2 s, by its own navigation timing.
    const loadTimes = await Promise.all(pages.map(loadTimeOf));
    console.info(`${mode}: tab load times (ms)`, loadTimes.map(Math.round).join(', '));
    for (const loadTime of loadTimes) expect(loadTime).toBeLessThan(2_000);

    await waitForOneConnectionWith(planTabs + 1);
    expect(openEventConnections()).toBe(1);
    const paths = await Promise.all(pages.map(connectionPathOf));
    if (disableSharedWorker) {
      expect(paths.filter((path) => path === 'leader')).toHaveLength(1);
      expect(paths.filter((path) => path === 'follower')).toHaveLength(planTabs);
    } else {
      expect(new Set(paths)).toEqual(new Set([expectedPath]));
    }

    // A chat reply, sent while every plan streams.
    const sent = await api.chat.send.mutate({ sessionId: session.id, content: 'How do I juggle?' });

    // Mid-stream: close the tab that owns the connection (the leader; with the SharedWorker,
    // the worker owns it and the first tab goes), then reload another tab.
    const ownerIndex = disableSharedWorker ? paths.indexOf('leader') : 0;
    const owner = pages[ownerIndex] as Page;
    expect((await api.plan.get.query({ planId: plans[0]?.planId as string })).status).toBe(
      'generating',
    );
    await owner.close({ runBeforeUnload: true });
    const reloadIndex = ownerIndex === 1 ? 2 : 1;
    const reloaded = pages[reloadIndex] as Page;
    await reloaded.reload();
    await planPage(reloaded).status.waitFor();

    const remaining = pages.flatMap((page, index) =>
      index === ownerIndex || index === planTabs
        ? []
        : [{ page, planId: plans[index]?.planId as string }],
    );
    // Still one connection, now held by the new owner.
    await waitForOneConnectionWith(remaining.length + 1);
    expect(openEventConnections()).toBe(1);

    const ended = await Promise.all(
      remaining.map(({ page }) => planPage(page).waitForEnd(120_000)),
    );
    expect(new Set(ended)).toEqual(new Set(['completed']));
    for (const { page, planId } of remaining) {
      const plan = await api.plan.get.query({ planId });
      expect(await planPage(page).readRaw()).toBe(plan.content);
    }

    // The chat tab saw the reply, exactly as stored.
    const storedReply = async () =>
      (await api.chat.getSession.query({ sessionId: session.id })).messages.find(
        (message) => message.id === sent.messageId,
      );
    await expect
      .poll(async () => (await storedReply())?.status, { timeout: 60_000 })
      .not.toBe('generating');
    const stored = await storedReply();
    expect(stored?.status).toBe('completed');
    const reply = chatTab
      .getByRole('log', { name: 'Conversation' })
      .locator('[data-testid="chat-message"][data-role="assistant"]')
      .last();
    await expect
      .poll(async () => (await reply.getByTestId('message-raw').textContent()) ?? '', {
        timeout: 15_000,
      })
      .toBe(stored?.content);
  });
});
