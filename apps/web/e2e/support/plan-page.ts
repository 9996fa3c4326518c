import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

/** What the plan page shows at one instant, read in a single evaluation. */
export interface PlanPageSample {
  status: string | null;
  weekCount: number;
  writing: boolean;
  rawLength: number;
}

/** The plan page `/plans/:planId`, by the hooks of docs/web-ui-contract.md. */
export function planPage(page: Page) {
  const status = page.getByTestId('plan-status');
  const raw = page.getByTestId('plan-raw');
  const sample = (): Promise<PlanPageSample> =>
    page.evaluate(() => {
      const indicator = document.querySelector('[data-testid="writing-indicator"]');
      return {
        status:
          document.querySelector('[data-testid="plan-status"]')?.getAttribute('data-status') ??
          null,
        weekCount: document.querySelectorAll('[data-testid="week-card"]').length,
        writing: indicator?.checkVisibility() ?? false,
        rawLength: document.querySelector('[data-testid="plan-raw"]')?.textContent?.length ?? 0,
      };
    });
  return {
    title: page.getByRole('heading', { level: 1 }),
    status,
    summary: page.getByTestId('plan-summary'),
    weekCards: page.getByTestId('week-card'),
    writingIndicator: page.getByTestId('writing-indicator'),
    raw,
    /** The first `role=alert` (the contract does not promise a single one). */
    alert: page.getByRole('alert').first(),
    stopButton: page.getByRole('button', { name: 'Stop' }),
    retryButton: page.getByRole('button', { name: 'Retry' }),

    /** The assembled content: the text of the `<pre>`, shown or collapsed. */
    async readRaw(): Promise<string> {
      return (await raw.textContent()) ?? '';
    },

    /** Waits until the status is no longer `generating`, then returns it. */
    async waitForEnd(timeoutMs = 30_000): Promise<string | null> {
      await page
        .locator('[data-testid="plan-status"][data-status]:not([data-status="generating"])')
        .waitFor({ state: 'attached', timeout: timeoutMs });
      return status.getAttribute('data-status');
    },

    sample,

    /** Samples every `intervalMs` until the status leaves `generating` (or the time runs out). */
    async sampleUntilEnd(intervalMs = 100, timeoutMs = 30_000): Promise<PlanPageSample[]> {
      const samples: PlanPageSample[] = [];
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const current = await sample();
        samples.push(current);
        if (current.status !== null && current.status !== 'generating') break;
        await sleep(intervalMs);
      }
      return samples;
    },
  };
}
