import { describe, expect, it } from 'vitest';
import { createPlanFromForm, uniqueGoals, waitForPlanPage } from './support/new-plan-form';
import { planPage } from './support/plan-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

describe('controlling a plan', () => {
  it('stops a plan: cancelled, the partial text kept, the upstream request aborted', async () => {
    const page = await environment.openPage('stop-plan');
    const goals = uniqueGoals('Train for a half marathon');
    await createPlanFromForm(page, { goals, model: 'sluice/simulator@slow' });
    const plan = planPage(page);

    // Stop once the summary has begun, so the kept part is visible on the page too.
    await expect
      .poll(async () => (await plan.summary.textContent())?.trim().length ?? 0, {
        timeout: 15_000,
      })
      .toBeGreaterThan(10);
    const stoppedAt = Date.now();
    await plan.stopButton.click();

    expect(await plan.waitForEnd(10_000)).toBe('cancelled');
    expect(await plan.writingIndicator.isVisible()).toBe(false);
    // Stop is offered only while generating: gone or disabled now.
    expect((await plan.stopButton.count()) === 0 || (await plan.stopButton.isDisabled())).toBe(
      true,
    );
    const partial = await plan.readRaw();
    const partialSummary = (await plan.summary.textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    expect(partialSummary.trim()).not.toBe('');

    // The upstream request was really aborted, within 2 s of the click.
    const requests = environment.server.requestsFor(goals);
    expect(requests).toHaveLength(1);
    const upstream = requests[0];
    await expect.poll(() => upstream?.clientAborted, { timeout: 2000, interval: 50 }).toBe(true);
    expect(upstream?.status).toBe('client-aborted');
    expect((upstream?.endedAt ?? Number.POSITIVE_INFINITY) - stoppedAt).toBeLessThan(2000);
    expect(upstream?.text.startsWith(partial)).toBe(true);

    // The partial is saved: a fresh load shows the same text, summary and status.
    await page.reload();
    await plan.status.waitFor();
    expect(await plan.status.getAttribute('data-status')).toBe('cancelled');
    await expect.poll(() => plan.readRaw()).toBe(partial);
    expect(await plan.summary.textContent()).toBe(partialSummary);
  });

  it('shows an upstream failure and a Retry that writes the plan anew', async () => {
    const page = await environment.openPage('fault-and-retry');
    const goals = uniqueGoals('Learn to cook five dinners');
    // The simulator answers 503 to the first four requests for this model and prompt: the
    // server's four attempts (e2eRetryPolicy) all fail; the Retry's request is the fifth.
    const model = 'sluice/simulator@status-503x4';
    const failedPlanId = await createPlanFromForm(page, { goals, model });
    const plan = planPage(page);

    expect(await plan.waitForEnd(20_000)).toBe('failed');
    await plan.alert.waitFor();
    expect((await plan.alert.textContent())?.trim()).not.toBe('');
    const failedAttempts = environment.server.requestsFor(goals);
    expect(failedAttempts.map((request) => request.status)).toEqual([
      'fault',
      'fault',
      'fault',
      'fault',
    ]);

    await environment.screenshot(page, 'fault-and-retry-failed');
    await plan.retryButton.click();
    const retriedPlanId = await waitForPlanPage(page, failedPlanId);
    expect(retriedPlanId).not.toBe(failedPlanId);
    expect(await plan.waitForEnd(30_000)).toBe('completed');
    expect(await plan.alert.count()).toBe(0);

    const requests = environment.server.requestsFor(goals);
    expect(requests).toHaveLength(5);
    const retried = requests[4];
    expect(retried?.model).toBe(model);
    await expect.poll(() => retried?.status, { timeout: 2000, interval: 50 }).toBe('completed');
    expect(await plan.readRaw()).toBe(retried?.text);
  });
});
