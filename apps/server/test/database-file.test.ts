import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@sluice/test-services';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/env';
import { startTestStack, type TestStack } from './support/test-stack';

const serverDirectory = fileURLToPath(new URL('..', import.meta.url));
const stacks: TestStack[] = [];
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  for (const directory of directories.splice(0)) {
    chmodSync(directory, 0o755);
    rmSync(directory, { recursive: true, force: true });
  }
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-database-file-'));
  directories.push(directory);
  return directory;
}

async function probe(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A pino logger whose lines are kept, parsed. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string; path?: string }> = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)));
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, destination), lines };
}

describe('the database file under a running server', () => {
  it('fails /healthz and /readyz with a reason once the file is deleted, and logs it once', async () => {
    const directory = temporaryDirectory();
    const { logger, lines } = recordingLogger();
    const stack = await startTestStack({ directory, app: { logger } });
    stacks.push(stack);
    expect(await probe(`${stack.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(`${stack.url}/readyz`)).toEqual({ status: 200, body: { status: 'ok' } });

    rmSync(stack.databasePath);

    const unavailable = {
      status: 503,
      body: {
        status: 'unavailable',
        reason: expect.stringContaining(
          `The database file ${stack.databasePath} was deleted while the server was running`,
        ),
      },
    };
    expect(await probe(`${stack.url}/healthz`)).toEqual(unavailable);
    expect(await probe(`${stack.url}/readyz`)).toEqual(unavailable);
    expect(await probe(`${stack.url}/healthz`)).toEqual(unavailable);
    expect(lines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
      unavailable.body.reason,
    ]);
  });

  it('logs an error when it restarts on a new, empty database where one was expected', async () => {
    const directory = temporaryDirectory();
    const first = await startTestStack({ directory });
    await first.client.plan.create.mutate({ goals: 'Keep me' });
    await first.close({ keepFiles: true });
    rmSync(first.databasePath);

    const { logger, lines } = recordingLogger();
    const second = await startTestStack({ directory, app: { logger } });
    stacks.push(second);
    const loud = lines.filter((line) => line.level >= 50);
    expect(loud).toHaveLength(1);
    expect(loud[0]?.msg).toContain(`DATABASE MISSING: ${second.databasePath} was expected`);
    expect(loud[0]?.path).toBe(second.databasePath);
    expect((await second.client.plan.list.query()).items).toEqual([]);
  });
});

/**
 * Boots the server (src/main.ts) as `pnpm dev` would, until it exits. A boot that does not end
 * is killed after 20 s (and the test fails on its exit code): before, /proc spun forever.
 */
function boot(databaseUrl: string, options: { asUnprivilegedUser?: boolean } = {}) {
  const unprivileged = options.asUnprivilegedUser && process.getuid?.() === 0;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDirectory,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 20_000,
    killSignal: 'SIGKILL',
    ...(unprivileged ? { uid: 65534, gid: 65534 } : {}),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr: stderr.trim() }));
  });
}

describe('a DATABASE_URL the server cannot use ends the boot with a message', () => {
  it('under /proc', { timeout: 30_000 }, async () => {
    const path = '/proc/sluice/data/sluice.db';
    expect(await boot(path)).toEqual({
      code: 1,
      stderr: `Cannot use the SQLite database at ${path} (DATABASE_URL): it is on a kernel filesystem (proc), not on disk. Set DATABASE_URL to a file on a disk, such as ./data/sluice.db.`,
    });
  });

  it('a directory', { timeout: 30_000 }, async () => {
    const directory = temporaryDirectory();
    const { code, stderr } = await boot(directory);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Cannot use the SQLite database at ${directory} (DATABASE_URL): it is a directory. Set DATABASE_URL to a file inside it, such as ${join(directory, 'sluice.db')}.`,
    );
  });

  it('a path whose parent is a file', { timeout: 30_000 }, async () => {
    const file = join(temporaryDirectory(), 'notes.txt');
    writeFileSync(file, 'notes');
    const { code, stderr } = await boot(join(file, 'sluice.db'));
    expect(code).toBe(1);
    expect(stderr).toContain(`Cannot use the SQLite database at ${join(file, 'sluice.db')}`);
    expect(stderr).toContain(`${file} is a file`);
    expect(stderr).not.toMatch(/EEXIST|\n\s+at /);
  });

  it('a directory this user cannot write', { timeout: 30_000 }, async () => {
    const directory = temporaryDirectory();
    chmodSync(directory, 0o755);
    const locked = join(directory, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const path = join(locked, 'sluice.db');
    const { code, stderr } = await boot(path, { asUnprivilegedUser: true });
    expect(code).toBe(1);
    expect(stderr).toContain(`Cannot use the SQLite database at ${path} (DATABASE_URL)`);
    expect(stderr).toContain('this user may write to it');
  });

  it('a postgres:// URL whose server does not answer', { timeout: 30_000 }, async () => {
    const port = await findFreePort();
    const { code, stderr } = await boot(`postgres://sluice:secret@127.0.0.1:${port}/sluice`);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Cannot connect to the PostgreSQL database postgres://sluice:***@127.0.0.1:${port}/sluice (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${port}. Check that the server runs and accepts this user, and that the database exists.`,
    );
  });

  it('keeps any database URL as it is, for the database to refuse by name', () => {
    for (const url of ['postgres://localhost/sluice', 'mysql://localhost/sluice']) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
    expect(loadConfig({ DATABASE_URL: 'sqlite:data/x.db', INIT_CWD: '/srv' }).databaseUrl).toBe(
      '/srv/data/x.db',
    );
  });
});
