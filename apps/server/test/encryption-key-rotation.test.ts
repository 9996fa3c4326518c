import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApp } from '../src/app';
import { ConfigError, loadConfig } from '../src/env';
import { startTestStack } from './support/test-stack';

const serverDirectory = dirname(dirname(fileURLToPath(import.meta.url)));
const storedKey = 'sk-or-v1-rotatedkey0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');

/** Runs the documented command (`pnpm --filter @sluice/server rotate-encryption-key`'s script). */
function runRotation(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(serverDirectory, 'node_modules/.bin/tsx'),
      ['src/commands/rotate-encryption-key.ts'],
      { cwd: serverDirectory, env: { PATH: process.env.PATH ?? '', ...env } },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('encryption key rotation', () => {
  let directory: string;
  let databasePath: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'sluice-rotation-'));
    databasePath = join(directory, 'sluice.db');
    const stack = await startTestStack({ directory, env: { ENCRYPTION_KEY: oldKey } });
    await stack.client.admin.setProviderKey.mutate({ provider: 'openrouter', key: storedKey });
    await stack.app.providerKeys.setUserKey('user-1', 'openrouter', storedKey);
    await stack.close();
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  /** Boots the server on the database with these variables; resolves with the error, if any. */
  async function boot(env: Record<string, string>): Promise<unknown> {
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: databasePath,
      OPENROUTER_BASE_URL: 'http://127.0.0.1:9/v1',
      WEB_DIST_DIR: join(directory, 'no-web'),
      ...env,
    });
    try {
      const app = await createServerApp(config, { logger: pino({ level: 'silent' }) });
      await app.close();
      return undefined;
    } catch (error) {
      return error;
    }
  }

  it('refuses to start without ENCRYPTION_KEY, or with another key, saying what to do', async () => {
    const missing = await boot({});
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(
      /2 provider keys are stored encrypted .*but ENCRYPTION_KEY is not set\. Set ENCRYPTION_KEY to the key used before.*rotate-encryption-key/,
    );
    const wrong = await boot({ ENCRYPTION_KEY: newKey });
    expect(wrong).toBeInstanceOf(ConfigError);
    expect((wrong as Error).message).toMatch(
      /ENCRYPTION_KEY \(key id .{8}\) is not the key that encrypted 2 of the 2 stored provider keys.*NEW_ENCRYPTION_KEY/,
    );
    expect(await boot({ ENCRYPTION_KEY: oldKey })).toBeUndefined();
  });

  it('re-encrypts every value under the new key, once; then the new key works and the old one is refused', async () => {
    const env = { DATABASE_URL: databasePath, ENCRYPTION_KEY: oldKey, NEW_ENCRYPTION_KEY: newKey };
    const first = await runRotation(env);
    expect(first.output).toContain('Re-encrypted 2 provider keys under key id');
    expect(first.output).toContain('0 were already under it');
    expect(first.code).toBe(0);
    const again = await runRotation(env);
    expect(again.output).toContain('Re-encrypted 0 provider keys');
    expect(again.output).toContain('2 were already under it');
    expect(again.code).toBe(0);

    expect(await boot({ ENCRYPTION_KEY: oldKey })).toBeInstanceOf(ConfigError);
    // With the new key the server starts and pays with the stored key, decrypted.
    const stack = await startTestStack({ directory, env: { ENCRYPTION_KEY: newKey } });
    try {
      const { planId } = await stack.client.plan.create.mutate({ goals: 'learn to sail' });
      await stack.app.engines.plans.get(planId)?.done;
      expect(stack.simulator.requests.at(-1)?.headers.authorization).toBe(`Bearer ${storedKey}`);
      expect(await stack.app.providerKeys.resolveKey('user-1', 'openrouter')).toEqual({
        source: 'user',
        apiKey: storedKey,
      });
    } finally {
      await stack.close();
    }
  });

  it('changes nothing and says why when a key is missing', async () => {
    const result = await runRotation({ DATABASE_URL: databasePath, ENCRYPTION_KEY: newKey });
    expect(result.code).toBe(1);
    expect(result.output).toContain('NEW_ENCRYPTION_KEY: set it to the new key');
    expect(result.output).not.toContain('    at ');
  });
});
