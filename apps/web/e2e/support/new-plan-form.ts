import type { Page } from 'playwright-core';

/** The new-plan form at `/`, by the roles and labels of docs/web-ui-contract.md. */
export function newPlanForm(page: Page) {
  return {
    goals: page.getByRole('textbox', { name: 'Your goals' }),
    model: page.getByLabel('Model', { exact: true }),
    submitButton: page.getByRole('button', { name: 'Write my plan' }),
    goalsError: page.locator('#field-error-goals'),
    simulatedBadge: page.getByTestId('simulated-badge'),
  };
}

const planPathPattern = /^\/plans\/([^/?#]+)$/;

/** The plan id of a `/plans/:planId` URL, or undefined for any other page. */
export function planIdFromUrl(url: string): string | undefined {
  return planPathPattern.exec(new URL(url).pathname)?.[1];
}

/** Waits for the app to navigate to a plan page (other than `previousPlanId`); returns its id. */
export async function waitForPlanPage(page: Page, previousPlanId?: string): Promise<string> {
  await page.waitForURL((url) => {
    const planId = planIdFromUrl(url.href);
    return planId !== undefined && planId !== previousPlanId;
  });
  const planId = planIdFromUrl(page.url());
  if (!planId) throw new Error(`Expected a /plans/:planId URL, got ${page.url()}`);
  return planId;
}

/**
 * Goals no other test uses: the simulator's records and its per-prompt fault counts are keyed
 * by the prompt. The marker sits on a `Label: value` line, which the simulator leaves out of
 * the plan's topics, so titles still read naturally.
 */
export function uniqueGoals(goals: string): string {
  const marker = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return `${goals}\nTest run: ${marker}`;
}

/** Opens `/`, writes the goals (and a model), submits with Ctrl+Enter; resolves with the plan id. */
export async function createPlanFromForm(
  page: Page,
  input: { goals: string; model?: string },
): Promise<string> {
  const form = newPlanForm(page);
  await page.goto('/');
  await form.goals.fill(input.goals);
  if (input.model !== undefined) await form.model.fill(input.model);
  await form.goals.press('Control+Enter');
  return waitForPlanPage(page);
}
