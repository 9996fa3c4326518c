import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, signUp } from './support/test-stack';

const serverDirectory = fileURLToPath(new URL('..', import.meta.url));
const bundlePath = join(serverDirectory, 'dist', 'main.js');
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'sluice-bundle-'));
  await promisify(execFile)(process.execPath, ['build.mjs'], { cwd: serverDirectory });
}, 60_000);

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('the production bundle (pnpm build, pnpm start)', () => {
  it('holds the workspace packages compiled, and imports only npm packages and node builtins', () => {
    const bundle = readFileSync(bundlePath, 'utf8');
    // Single-line imports, and the last line of multi-line ones (`} from "x";`).
    const imports = [...bundle.matchAll(/^(?:import .*|\}) from "([^"]+)";$/gm)].map(
      (match) => match[1] as string,
    );
    const packageOf = (specifier: string) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
    const packages = new Set(
      imports.filter((specifier) => !specifier.startsWith('node:')).map(packageOf),
    );
    expect([...packages].sort()).toEqual(
      [
        '@opentelemetry/api',
        '@opentelemetry/exporter-trace-otlp-http',
        '@opentelemetry/resources',
        '@opentelemetry/sdk-trace-base',
        '@trpc/server',
        'better-auth',
        'better-sqlite3',
        'eventsource-parser',
        'ioredis',
        // Counts a stopped stream's output tokens (pricing/token-estimator.ts).
        'gpt-tokenizer',
        'kysely',
        'negotiator',
        'pg',
        'pino',
        'prom-client',
        'rate-limiter-flexible',
        'zod',
      ].sort(),
    );
    expect(bundle).not.toMatch(/from "(@sluice\/|tsx|\.\.?\/)/);
  });

  it('boots with plain node, migrates a new database and streams a plan from the bundled simulator', {
    timeout: 60_000,
  }, async () => {
    const child = spawn(process.execPath, [bundlePath], {
      cwd: serverDirectory,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        DATABASE_URL: join(directory, 'sluice.db'),
        SIMULATOR_TOKENS_PER_SECOND: '5000',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg?.startsWith('Sluice is listening')) {
          url = entry.url;
          break;
        }
      }
      expect(url).toBeDefined();
      // Keep reading the log so the server never blocks on a full pipe.
      child.stdout.resume();
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      // The first account signs up through Better Auth (it becomes the admin) and makes an
      // API key with its session cookie; the plan is then created with that key.
      const { cookie } = await signUp(url as string, { email: 'bundle-admin@example.com' });
      const { key } = await createClient(url as string, {
        cookie,
      }).account.createApiKey.mutate({ name: 'bundle test' });
      const plan = await createClient(url as string, { apiKey: key }).plan.generate.mutate({
        goals: 'Learn to juggle three balls',
      });
      expect(plan).toMatchObject({ status: 'completed' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
