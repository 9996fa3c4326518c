import { describe, expect, it } from 'vitest';
import { newPlanForm } from './support/new-plan-form';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

describe('the new-plan form', () => {
  it('shows the goals field error for empty goals and creates no plan', async () => {
    const page = await environment.openPage('empty-goals');
    const form = newPlanForm(page);
    await page.goto('/');
    const plansBefore = (await environment.server.app.plans.list(environment.server.adminUserId))
      .items.length;
    const requestsBefore = environment.server.simulator.requests.length;

    await form.goals.fill('');
    await form.submitButton.click();

    await form.goalsError.waitFor({ state: 'visible' });
    expect((await form.goalsError.textContent())?.trim()).not.toBe('');
    expect(await form.goals.getAttribute('aria-invalid')).toBe('true');
    expect((await form.goals.getAttribute('aria-describedby'))?.split(/\s+/)).toContain(
      'field-error-goals',
    );
    expect(new URL(page.url()).pathname).toBe('/');
    expect(
      (await environment.server.app.plans.list(environment.server.adminUserId)).items,
    ).toHaveLength(plansBefore);
    expect(environment.server.simulator.requests).toHaveLength(requestsBefore);
  });

  it('says the model is simulated when the server runs the bundled simulator', async () => {
    const page = await environment.openPage('simulated-badge');
    const form = newPlanForm(page);
    await page.goto('/');
    await form.simulatedBadge.waitFor({ state: 'visible' });
    expect(await form.simulatedBadge.textContent()).toContain('Simulated model');
    await expect.poll(() => form.model.inputValue()).toBe('sluice/simulator');
  });
});
