import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { webAppDirectory } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The web app built for this run, served by every test server (WEB_DIST_DIR). */
    webDistDir: string;
  }
}

/** Runs `vite build` for apps/web in a child process, as `pnpm build` would (production mode). */
function buildWebApp(outDir: string): Promise<void> {
  const require = createRequire(join(webAppDirectory, 'package.json'));
  const viteBin = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: webAppDirectory,
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const log = Buffer.concat(output).toString('utf8');
        reject(
          new Error(`Building the web app for the browser tests failed (exit ${code}):\n${log}`),
        );
      }
    });
  });
}

/** Vitest global setup: builds the web app once per run into a temporary directory. */
export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = mkdtempSync(join(tmpdir(), 'sluice-web-dist-'));
  await buildWebApp(outDir);
  project.provide('webDistDir', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
