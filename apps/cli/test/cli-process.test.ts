import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanDocument } from '@sluice/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../server/test/support/test-stack';
import { unusedUrl } from './support/tcp-proxy';
import { waitUntil } from './support/wait-until';

const cliDirectory = join(import.meta.dirname, '..');
const tsx = join(cliDirectory, 'node_modules', '.bin', 'tsx');
const goals = 'Run a 10k in under 55 minutes and read two novels';

let stack: TestStack | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await stack?.close();
  stack = undefined;
});

interface SpawnedCli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<number | null>;
}

function spawnCli(command: string, args: string[], cwd = cliDirectory, apiKey = ''): SpawnedCli {
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SLUICE_URL: '', SLUICE_API_KEY: apiKey },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

describe('the sluice process', { timeout: 60_000 }, () => {
  it('`tsx src/main.ts plan …` streams the plan to stdout and exits 0', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
    const cli = spawnCli(
      tsx,
      ['src/main.ts', 'plan', goals, '--server', stack.url],
      cliDirectory,
      stack.admin.apiKey,
    );
    expect(await cli.exited).toBe(0);
    const { items } = await stack.client.plan.list.query();
    const view = await stack.client.plan.get.query({ planId: items[0]?.id ?? '' });
    const plan = view.plan as PlanDocument;
    expect(cli.stdout).toContain(`Plan ${view.id} · sluice/simulator\n`);
    expect(cli.stdout).toContain(`${plan.title}\n`);
    for (const week of plan.weeks)
      expect(cli.stdout).toContain(`Week ${week.week} · ${week.focus}\n`);
    expect(cli.stdout.endsWith('Status: completed\n')).toBe(true);
    expect(cli.stderr).toBe('');
  });

  it('Ctrl-C cancels the plan on the server, which aborts the upstream request; exit 130', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
    const cli = spawnCli(
      tsx,
      ['src/main.ts', 'plan', goals, '--model', 'sluice/simulator@slow', '--server', stack.url],
      cliDirectory,
      stack.admin.apiKey,
    );
    await waitUntil(
      () => cli.stdout.includes('────'),
      () => `stdout: ${cli.stdout}\nstderr: ${cli.stderr}`,
      20_000,
    );
    const planId = /^Plan (\S+) ·/.exec(cli.stdout)?.[1] ?? '';
    cli.child.kill('SIGINT');

    expect(await cli.exited).toBe(130);
    expect(cli.stderr).toContain(`Cancelling plan ${planId}`);
    expect(cli.stdout).toMatch(/\nStatus: cancelled — cancelled on request\n$/);
    expect((await stack.client.plan.get.query({ planId })).status).toBe('cancelled');
    await stack.simulator.waitFor((request) => request.status !== 'streaming');
    expect(stack.simulator.requests).toHaveLength(1);
    expect(stack.simulator.requests[0]?.clientAborted).toBe(true);
  });

  it('says the server cannot be reached and exits 1', async () => {
    const url = await unusedUrl();
    const cli = spawnCli(tsx, ['src/main.ts', 'list', '--server', url]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr).toBe(
      `Cannot reach the Sluice server at ${url} — is it running? Start it with \`pnpm start\`.\n`,
    );
  });

  it('the `sluice` bin runs from any directory and exits 2 on a usage error', async () => {
    const bin = join(cliDirectory, 'bin', 'sluice.js');
    const help = spawnCli(bin, ['--help'], tmpdir());
    expect(await help.exited).toBe(0);
    expect(help.stdout).toContain('Usage:\n  sluice plan "goals…"');

    const usage = spawnCli(bin, ['plan'], tmpdir());
    expect(await usage.exited).toBe(2);
    expect(usage.stderr).toContain('`sluice plan` needs your goals');
  });
});
