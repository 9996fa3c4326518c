import { describe, expect, it } from 'vitest';
import { createPlanFromForm, uniqueGoals } from './support/new-plan-form';
import { planPage } from './support/plan-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

describe('the cost of a plan, said honestly', () => {
  it('shows the running cost while streaming, then after Stop the billed figure', async () => {
    const page = await environment.openPage('plan-cost');
    const goals = uniqueGoals('Learn to juggle three balls');
    await createPlanFromForm(page, { goals, model: 'sluice/simulator@slow' });
    const plan = planPage(page);
    const cost = page.getByTestId('plan-cost');

    // While the plan streams: an estimate, marked as one.
    await expect
      .poll(async () => (await cost.count()) > 0 && ((await cost.textContent()) ?? ''), {
        timeout: 15_000,
      })
      .toMatch(/^≈ \$[\d.]+ so far$/);
    await environment.screenshot(page, 'plan-cost-running');

    await plan.stopButton.click();
    expect(await plan.waitForEnd(10_000)).toBe('cancelled');

    // Once OpenRouter's bill (the simulator's, a couple of seconds later) has arrived.
    await expect
      .poll(async () => (await cost.textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/^stopped — billed \$[\d.]+$/);
    const billed = Number(((await cost.textContent()) ?? '').replace(/^.*\$/, ''));
    const [upstream] = environment.server.requestsFor(goals);
    const stats = (await (
      await fetch(`${environment.server.simulator.url}/generation?id=${upstream?.id}`)
    ).json()) as { data: { total_cost: number; cancelled: boolean } };
    expect(stats.data.cancelled).toBe(true);
    expect(billed).toBeCloseTo(stats.data.total_cost, 6);
    await environment.screenshot(page, 'plan-cost-billed');
  });
});
