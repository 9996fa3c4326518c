import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const debianChromiumPath = '/usr/bin/chromium';

/** CHROMIUM_PATH, or Debian's package. playwright-core never downloads a browser here. */
export function findChromium(): string {
  const path = process.env.CHROMIUM_PATH || debianChromiumPath;
  if (!existsSync(path)) {
    throw new Error(
      `Chromium was not found at ${path}. Browser tests need Chromium: run ` +
        '`sudo apt-get install -y chromium` (or `node scripts/ensure-chromium.mjs`) or set CHROMIUM_PATH.',
    );
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    // Playwright adds --headless (the new headless mode) and --no-sandbox (chromiumSandbox is off).
    headless: true,
    chromiumSandbox: false,
    args: [
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
