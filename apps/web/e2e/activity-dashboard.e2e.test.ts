import { describe, expect, it } from 'vitest';
import { accountMenu } from './support/account-pages';
import { createApiClient } from './support/chat-api';
import { uniqueGoals } from './support/new-plan-form';
import { useBrowserEnvironment } from './support/use-browser-environment';

// Fast plans: the test makes a few, then reads them on the admin's activity page.
const environment = useBrowserEnvironment({ tokensPerSecond: 2000 });

/** Resolves when the plan's generation has ended and its outcome is saved. */
async function finished(planId: string): Promise<void> {
  await environment.server.app.engines.plans.get(planId)?.done;
}

describe('admin activity dashboard', () => {
  it('charts the stored plans: success rate, latency, endings, errors, models and cost', async () => {
    const api = createApiClient(environment.server.url);
    const completed = await api.plan.create.mutate({ goals: uniqueGoals('Learn to juggle') });
    await finished(completed.planId);
    // Every attempt answers 503: the plan fails with UPSTREAM_HTTP.
    const failed = await api.plan.create.mutate({
      goals: uniqueGoals('Learn to whistle'),
      model: 'sluice/simulator@status-503x4',
    });
    await finished(failed.planId);
    const stopped = await api.plan.create.mutate({
      goals: uniqueGoals('Learn to knit'),
      model: 'sluice/simulator@slow',
    });
    await api.plan.cancel.mutate({ planId: stopped.planId });
    await finished(stopped.planId);

    const page = await environment.openPage('activity-dashboard');
    // The admin reaches it from the account menu.
    await page.goto('/');
    await accountMenu(page).open();
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/activity');
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();

    const summary = page.locator('.activity-summary');
    await summary.getByText('Generations').waitFor();
    const figure = (label: string) =>
      summary.locator('div', { has: page.getByText(label, { exact: true }) }).locator('dd');
    expect(await figure('Generations').textContent()).toBe('3');
    // One completed, one failed; the user's stop does not count against the stream.
    expect(await figure('Success rate').textContent()).toBe('50%');
    expect(await figure('Time to first token').textContent()).toMatch(/^p50 \d+ ms · p95 \d+ ms$/);

    // Both charts drew (uPlot renders into a canvas) with a name for screen readers.
    const successChart = page.getByRole('img', { name: 'Streaming success rate per hour' });
    await successChart.locator('canvas').waitFor();
    await page.getByRole('img', { name: 'Cost per day' }).locator('canvas').waitFor();

    const endings = page.locator('section', { hasText: 'Cancellations and cut-short' });
    expect(await endings.getByRole('row', { name: /Stopped by the user/ }).count()).toBe(1);
    const errors = page.locator('section', { hasText: 'Errors by code' });
    expect(await errors.getByRole('row', { name: /UPSTREAM_HTTP\s*1/ }).count()).toBe(1);
    const models = page.locator('section', { hasText: 'Top models' });
    expect(await models.getByRole('rowheader').allTextContents()).toEqual(
      expect.arrayContaining(['sluice/simulator', 'sluice/simulator@status-503x4']),
    );
    const users = page.locator('section', { hasText: 'Cost per user' });
    expect(await users.getByRole('row', { name: /admin@example\.com\s*3/ }).count()).toBe(1);

    await page.getByLabel('Last 7 days').check();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('');
    expect(await figure('Generations').textContent()).toBe('3');
  });

  it('sends a signed-out visitor to sign in', async () => {
    const page = await environment.openPage('activity-dashboard-signed-out', { signedIn: false });
    await page.goto('/admin/activity');
    await page.waitForURL((url) => url.pathname === '/sign-in');
  });
});
