import { describe, expect, it } from 'vitest';
import { newPlanForm, uniqueGoals, waitForPlanPage } from './support/new-plan-form';
import { useBrowserEnvironment } from './support/use-browser-environment';

// One plan a month for every user: the second plan from the form is refused.
const environment = useBrowserEnvironment({ env: { QUOTA_PLANS_PER_MONTH: '1' } });

describe('quota exhaustion', () => {
  it('says plainly that the month’s plans are used up, and starts nothing', async () => {
    const page = await environment.openPage('quota-exhaustion');
    const form = newPlanForm(page);
    await page.goto('/');
    await form.goals.fill(uniqueGoals('Learn to juggle three balls'));
    await form.submitButton.click();
    await waitForPlanPage(page);

    await page.goto('/');
    const requestsBefore = environment.server.simulator.requests.length;
    const plansBefore = (await environment.server.app.plans.list(environment.server.adminUserId))
      .items.length;
    await form.goals.fill(uniqueGoals('Learn to ride a unicycle'));
    await form.submitButton.click();

    const alert = page.locator('.form-error[role="alert"]');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toMatch(
      /^You have used all 1 plans for this month; more on \d{1,2} [A-Z][a-z]+\.$/,
    );
    expect(new URL(page.url()).pathname).toBe('/');
    expect(
      (await environment.server.app.plans.list(environment.server.adminUserId)).items,
    ).toHaveLength(plansBefore);
    expect(environment.server.simulator.requests).toHaveLength(requestsBefore);
    await environment.screenshot(page, 'quota-exhausted-plan-form');
  });
});
