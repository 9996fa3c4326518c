import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { launchChromium } from './launch-chromium';
import { screenshotDirectory } from './paths';
import { type E2eServer, startE2eServer } from './start-e2e-server';

export interface BrowserEnvironment {
  /** The server of this test file (started in beforeAll). */
  readonly server: E2eServer;
  /**
   * A page in a fresh browser context pointed at the server. When the test ends, each page of
   * the context is saved to artifacts/screenshots/<flowName>.png (a second tab to
   * <flowName>-tab-2.png), passed or failed, and the context is closed.
   */
  openPage(flowName: string, options?: OpenPageOptions): Promise<Page>;
  /** Saves an extra screenshot mid-flow: artifacts/screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<void>;
}

export interface OpenPageOptions {
  /** With the admin's session cookie (the default), or signed out: no cookie at all. */
  signedIn?: boolean;
}

interface OpenFlow {
  flowName: string;
  context: BrowserContext;
  /** Uncaught page errors and console errors, shown when the test fails. */
  problems: string[];
}

const viewport = { width: 1280, height: 900 };

async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDirectory, { recursive: true });
  const path = join(screenshotDirectory, `${name}.png`);
  try {
    // From the top: a full-page capture of a scrolled page repeats sticky headers mid-image.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path, fullPage: true, timeout: 10_000 });
  } catch (error) {
    console.warn(`Could not save the screenshot ${path}:`, error);
  }
}

async function saveScreenshots(flow: OpenFlow): Promise<void> {
  for (const [index, page] of flow.context.pages().entries()) {
    await saveScreenshot(page, index === 0 ? flow.flowName : `${flow.flowName}-tab-${index + 1}`);
  }
}

/** Registers the hooks of a browser test file: one server and one Chromium for the file. */
export function useBrowserEnvironment(
  options: { tokensPerSecond?: number; env?: Record<string, string>; signUpAdmin?: boolean } = {},
): BrowserEnvironment {
  let server: E2eServer | undefined;
  let browser: Browser | undefined;
  const openFlows: OpenFlow[] = [];

  beforeAll(async () => {
    const started = await Promise.allSettled([
      startE2eServer({ webDistDir: inject('webDistDir'), ...options }),
      launchChromium(),
    ]);
    const [serverResult, browserResult] = started;
    if (serverResult.status === 'fulfilled') server = serverResult.value;
    if (browserResult.status === 'fulfilled') browser = browserResult.value;
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  });

  afterEach(async ({ task }) => {
    const flows = openFlows.splice(0);
    for (const flow of flows) {
      await saveScreenshots(flow);
      if (task.result?.state === 'fail' && flow.problems.length > 0) {
        console.error(`Browser errors during "${flow.flowName}":\n${flow.problems.join('\n')}`);
      }
      await flow.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  return {
    get server() {
      if (!server) throw new Error('The e2e server has not started (see the beforeAll error)');
      return server;
    },
    async openPage(flowName, pageOptions = {}) {
      if (!browser || !server) throw new Error('The browser environment has not started');
      const started = server;
      const context = await browser.newContext({ baseURL: server.url, viewport });
      // Signed in as the server's admin unless the test signs in (or up) through the pages.
      if (pageOptions.signedIn !== false) {
        await context.addCookies(
          started.sessionCookies.map((cookie) => ({ ...cookie, url: started.url })),
        );
      }
      context.setDefaultTimeout(15_000);
      const flow: OpenFlow = { flowName, context, problems: [] };
      const watch = (page: Page) => {
        page.on('pageerror', (error) => flow.problems.push(`page error: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error') flow.problems.push(`console error: ${message.text()}`);
        });
      };
      context.on('page', watch);
      openFlows.push(flow);
      return context.newPage();
    },
    screenshot: saveScreenshot,
  };
}
