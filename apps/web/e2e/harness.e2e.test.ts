import { describe, expect, it } from 'vitest';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

describe('browser test harness', () => {
  it('serves the built web app and /healthz from the real server to Chromium', async () => {
    const page = await environment.openPage('harness-smoke');
    const health = await page.request.get('/healthz');
    expect(health.status()).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('Sluice');
    // The SPA mounted: React rendered something into #root.
    await page.locator('#root > *').first().waitFor();
    expect(problems).toEqual([]);
  });
});
