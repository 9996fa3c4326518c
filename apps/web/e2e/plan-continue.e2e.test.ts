import { describe, expect, it } from 'vitest';
import { createPlanFromForm, uniqueGoals, waitForPlanPage } from './support/new-plan-form';
import { planPage } from './support/plan-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

describe('continuing a plan', () => {
  it('continues a plan the token limit cut off, from its saved text', async () => {
    const page = await environment.openPage('continue-plan');
    const goals = uniqueGoals('Learn to sketch portraits');
    // The simulator stops every reply for this model after 40 pieces (finish reason "length").
    const firstPlanId = await createPlanFromForm(page, {
      goals,
      model: 'sluice/simulator@length-after-40',
    });
    const plan = planPage(page);
    expect(await plan.waitForEnd(20_000)).toBe('partial');
    const cutOff = await plan.readRaw();
    expect(cutOff.length).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Continue' }).click();
    const continuedPlanId = await waitForPlanPage(page, firstPlanId);
    expect(continuedPlanId).not.toBe(firstPlanId);
    expect(await plan.waitForEnd(20_000)).toBe('partial');
    await page.getByTestId('continued-from').waitFor();

    // The new plan is the old text followed by exactly what the continuation request streamed,
    // and that request carried the old text as the reply to continue.
    const requests = environment.server.requestsFor(goals);
    expect(requests).toHaveLength(2);
    const continuation = requests[1];
    const body = continuation?.body as
      | { messages: Array<{ role: string; content: string }> }
      | undefined;
    const messages = body?.messages ?? [];
    expect(messages.at(-2)).toEqual({ role: 'assistant', content: cutOff });
    await expect.poll(() => plan.readRaw()).toBe(cutOff + (continuation?.text ?? ''));
  });
});
