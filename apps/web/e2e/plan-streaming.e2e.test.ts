import { describe, expect, it } from 'vitest';
import { createPlanFromForm, uniqueGoals } from './support/new-plan-form';
import { planPage } from './support/plan-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

/** The single upstream request of a plan written for `goals`, once it has finished. */
async function finishedRequestFor(goals: string) {
  const requests = environment.server.requestsFor(goals);
  expect(requests).toHaveLength(1);
  const request = requests[0];
  if (!request) throw new Error('no upstream request');
  // The simulator marks its record right after the last write; the page may be a moment quicker.
  await expect.poll(() => request.status, { timeout: 2000, interval: 50 }).toBe('completed');
  return request;
}

describe('writing a plan', () => {
  it('streams the weeks of a new plan onto its page and ends completed with the upstream text', async () => {
    const page = await environment.openPage('create-plan');
    const goals = uniqueGoals('Run a 10k in under 55 minutes');
    const planId = await createPlanFromForm(page, { goals });
    expect(planId.length).toBeGreaterThan(0);
    const plan = planPage(page);

    await plan.writingIndicator.waitFor({ state: 'visible' });
    const samples = await plan.sampleUntilEnd();
    const weekCountsWhileWriting = samples
      .filter((sample) => sample.writing)
      .map((sample) => sample.weekCount);
    // Weeks appear one after another while the plan is being written, never all at the end.
    expect(new Set(weekCountsWhileWriting).size).toBeGreaterThanOrEqual(2);
    expect(weekCountsWhileWriting.some((count) => count > 0 && count < 4)).toBe(true);
    const weekCounts = samples.map((sample) => sample.weekCount);
    expect(weekCounts).toEqual([...weekCounts].sort((left, right) => left - right));

    expect(await plan.status.getAttribute('data-status')).toBe('completed');
    expect(await plan.writingIndicator.isVisible()).toBe(false);
    const request = await finishedRequestFor(goals);
    expect(await plan.readRaw()).toBe(request.text);

    const document = JSON.parse(request.text) as {
      title: string;
      monthly_summary: string;
      weeks: unknown[];
    };
    expect(await plan.weekCards.count()).toBe(document.weeks.length);
    for (const [index, card] of (await plan.weekCards.all()).entries()) {
      expect(await card.getAttribute('data-week-index')).toBe(String(index));
      expect(await card.getAttribute('data-complete')).toBe('true');
      expect(await card.getByRole('heading', { name: `Week ${index + 1}` }).count()).toBe(1);
    }
    expect(await plan.title.textContent()).toBe(document.title);
    expect(await plan.summary.textContent()).toContain(document.monthly_summary);
  });

  it('continues the stream after a reload mid-stream, with nothing missing and nothing doubled', async () => {
    const page = await environment.openPage('reload-mid-stream');
    const goals = uniqueGoals('Learn Spanish basics');
    const planId = await createPlanFromForm(page, { goals });
    const plan = planPage(page);

    await plan.weekCards.first().waitFor();
    const [upstream] = environment.server.requestsFor(goals);
    expect(upstream?.status).toBe('streaming');
    await page.reload();
    expect(page.url()).toContain(`/plans/${planId}`);

    const samples = await plan.sampleUntilEnd();
    // The reloaded page rejoined the live generation: it saw it still writing, weeks still arriving.
    const writingSamples = samples.filter((sample) => sample.status === 'generating');
    expect(writingSamples.length).toBeGreaterThan(0);
    const weekCounts = writingSamples.map((sample) => sample.weekCount);
    expect(new Set(weekCounts).size).toBeGreaterThanOrEqual(2);

    expect(await plan.status.getAttribute('data-status')).toBe('completed');
    const request = await finishedRequestFor(goals);
    expect(await plan.readRaw()).toBe(request.text);
  });

  it('shows the same plan in two tabs, both ending with the identical upstream text', async () => {
    const firstTab = await environment.openPage('two-tabs');
    const goals = uniqueGoals('Read twelve books this year');
    const planId = await createPlanFromForm(firstTab, { goals });
    const secondTab = await firstTab.context().newPage();
    await secondTab.goto(`/plans/${planId}`);
    const first = planPage(firstTab);
    const second = planPage(secondTab);

    // The second tab joined while the plan was still being written.
    await second.status.waitFor();
    expect(environment.server.requestsFor(goals)[0]?.status).toBe('streaming');

    expect(await Promise.all([first.waitForEnd(), second.waitForEnd()])).toEqual([
      'completed',
      'completed',
    ]);
    const request = await finishedRequestFor(goals);
    const [firstRaw, secondRaw] = await Promise.all([first.readRaw(), second.readRaw()]);
    expect(firstRaw).toBe(request.text);
    expect(secondRaw).toBe(request.text);
    expect(await secondTab.getByTestId('week-card').count()).toBe(
      await firstTab.getByTestId('week-card').count(),
    );
  });
});
