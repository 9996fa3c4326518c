import type { PlanDocument } from '@sluice/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../server/test/support/test-stack';
import { formatPlanRow } from '../src/commands/list-command';
import { formatUsage, formatWeek } from '../src/render-plan-stream';
import { runCaptured, startCli } from './support/captured-cli';
import { startSilentServer } from './support/silent-server';
import { unusedUrl } from './support/tcp-proxy';

let stack: TestStack;

beforeEach(async () => {
  stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
});

afterEach(async () => {
  await stack?.close();
});

const goals = 'Run a 10k in under 55 minutes and read two novels';

async function onlyPlanId(): Promise<string> {
  const { items } = await stack.client.plan.list.query();
  expect(items).toHaveLength(1);
  return items[0]?.id ?? '';
}

describe('sluice plan (in process, real server and simulator)', { timeout: 30_000 }, () => {
  it('streams the title, the summary, every week, usage and the completed status; exit 0', async () => {
    const run = await runCaptured(['plan', goals, '--hours', '5', '--server', stack.url]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);

    const planId = await onlyPlanId();
    const view = await stack.client.plan.get.query({ planId });
    expect(view.status).toBe('completed');
    expect(view.preferences).toEqual({ hoursPerWeek: 5 });
    const plan = view.plan as PlanDocument;
    const usage = { ...view.usage, cost: view.usage?.cost ?? undefined };
    expect(usage.outputTokens).toBeGreaterThan(0);
    const expectedParts = [
      `Plan ${planId} · sluice/simulator\n\n`,
      `${plan.title}\n`,
      `${plan.monthly_summary}\n\n`,
      ...plan.weeks.map(formatWeek),
      `${formatUsage({ inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0, cost: usage.cost })}\n`,
      'Status: completed\n',
    ];
    let position = 0;
    for (const part of expectedParts) {
      const found = run.stdout.indexOf(part, position);
      expect(
        found,
        `"${part}" after position ${position} in:\n${run.stdout}`,
      ).toBeGreaterThanOrEqual(0);
      position = found + part.length;
    }
    expect(run.stdout.endsWith('Status: completed\n')).toBe(true);
  });

  it('draws a status line on stderr when it is a terminal, and wipes it at the end', async () => {
    const run = await runCaptured(['plan', goals, '--server', stack.url], {
      statusLine: true,
      now: () => 0,
    });
    expect(run.exitCode).toBe(0);
    const view = await stack.client.plan.get.query({ planId: await onlyPlanId() });
    const weeks = (view.plan as PlanDocument).weeks.length;
    expect(run.stderr).toContain('\r\x1b[2K0.0 s · 0 characters · 0 weeks done');
    const characters = new Intl.NumberFormat('en-US').format(view.content.length);
    expect(run.stderr).toContain(`\r\x1b[2K0.0 s · ${characters} characters · ${weeks} weeks done`);
    expect(run.stderr.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('--json prints only the final plan, deep-equal to plan.get', async () => {
    const run = await runCaptured(['plan', goals, '--json', '--server', stack.url]);
    expect(run.exitCode).toBe(0);
    const view = await stack.client.plan.get.query({ planId: await onlyPlanId() });
    expect(JSON.parse(run.stdout)).toEqual(view.plan);
    expect(view.plan).toEqual(JSON.parse(view.content));
  });

  it("prints the server's field errors by dotted path and exits 2, creating nothing", async () => {
    const run = await runCaptured(['plan', '   ', '--hours', '0', '--server', stack.url]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('The server rejected the request:\n');
    expect(run.stderr).toContain('  goals: Describe at least one goal\n');
    expect(run.stderr).toMatch(/ {2}preferences\.hoursPerWeek \(--hours\): .+\n/);
    expect((await stack.client.plan.list.query()).items).toEqual([]);
  });

  it('says the server cannot be reached and exits 1', async () => {
    const url = await unusedUrl();
    const run = await runCaptured(['plan', goals, '--server', url]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      `Cannot reach the Sluice server at ${url} — is it running? Start it with \`pnpm start\`.\n`,
    );
  });

  it('exits 1 with the status and error when the model fails mid-stream', async () => {
    const run = await runCaptured([
      'plan',
      goals,
      '--model',
      'sluice/simulator@error-after-20',
      '--server',
      stack.url,
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/\nStatus: failed — .+\n$/);
  });

  it('exits 3 when the plan is only partial', async () => {
    const run = await runCaptured([
      'plan',
      goals,
      '--model',
      'sluice/simulator@length-after-60',
      '--server',
      stack.url,
    ]);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(/\nStatus: partial — the model reached its output limit\n$/);
  });

  it('Ctrl-C cancels the plan on the server, shows the cancelled status and exits 130', async () => {
    const cli = startCli([
      'plan',
      goals,
      '--model',
      'sluice/simulator@slow',
      '--server',
      stack.url,
    ]);
    await cli.printed('────');
    cli.interrupt();
    expect(await cli.exited).toBe(130);
    expect(cli.stderr).toContain('Cancelling plan');
    expect(cli.stdout).toMatch(/\nStatus: cancelled — cancelled on request\n$/);
    const view = await stack.client.plan.get.query({ planId: await onlyPlanId() });
    expect(view.status).toBe('cancelled');
  });
});

describe('sluice watch, list and cancel', { timeout: 30_000 }, () => {
  it('watch shows a finished plan exactly as the live run showed it', async () => {
    const live = await runCaptured(['plan', goals, '--server', stack.url]);
    const planId = await onlyPlanId();
    const watched = await runCaptured(['watch', planId, '--server', stack.url]);
    expect(watched.exitCode).toBe(0);
    expect(watched.stdout).toBe(live.stdout);
  });

  it('watch --json prints the plan of plan.get', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const run = await runCaptured(['watch', planId, '--json', '--server', stack.url]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual((await stack.client.plan.get.query({ planId })).plan);
  });

  it('watch of an unknown plan says so and exits 1', async () => {
    const run = await runCaptured(['watch', 'no-such-plan', '--server', stack.url]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      `No plan with id no-such-plan on the server at ${stack.url}. \`sluice list\` shows the plans it has.\n`,
    );
  });

  it('Ctrl-C during watch stops watching and leaves the plan generating; cancel then stops it', async () => {
    const { planId } = await stack.client.plan.create.mutate({
      goals,
      model: 'sluice/simulator@slow',
    });
    const watcher = startCli(['watch', planId, '--server', stack.url]);
    await watcher.printed('────');
    watcher.interrupt();
    expect(await watcher.exited).toBe(130);
    expect(watcher.stderr).toContain(`Resume with \`sluice watch ${planId}\``);
    expect((await stack.client.plan.get.query({ planId })).status).toBe('generating');

    const cancel = await runCaptured(['cancel', planId, '--server', stack.url]);
    expect(cancel).toEqual({ exitCode: 0, stdout: `Plan ${planId}: cancelled\n`, stderr: '' });
    expect((await stack.client.plan.get.query({ planId })).status).toBe('cancelled');
  });

  it('cancel leaves a finished plan as it is, and exits 1 for an unknown plan', async () => {
    await runCaptured(['plan', 'Learn to juggle', '--server', stack.url]);
    const planId = await onlyPlanId();
    const finished = await runCaptured(['cancel', planId, '--server', stack.url]);
    expect(finished).toEqual({
      exitCode: 0,
      stdout: `Plan ${planId} was not generating; its status stays completed\n`,
      stderr: '',
    });

    const unknown = await runCaptured(['cancel', 'no-such-plan', '--server', stack.url]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('No plan with id no-such-plan');
  });

  it('Ctrl-C while a server does not answer exits 130 at once', async () => {
    const silent = await startSilentServer();
    try {
      for (const [index, argv] of [['list'], ['watch', 'plan-1'], ['cancel', 'plan-1']].entries()) {
        const cli = startCli([...argv, '--server', silent.url]);
        // The request is out and unanswered: now the user presses Ctrl-C.
        await silent.requested(index + 1);
        cli.interrupt();
        expect(await cli.exited).toBe(130);
        expect(cli.stderr).toBe('Interrupted.\n');
      }
    } finally {
      await silent.close();
    }
  });

  it('list shows the newest plans first; --json prints them', async () => {
    const empty = await runCaptured(['list', '--server', stack.url]);
    expect(empty.stdout).toBe('No plans yet. Start one with: sluice plan "your goals"\n');

    await runCaptured(['plan', 'Learn to juggle', '--server', stack.url]);
    await runCaptured(['plan', goals, '--server', stack.url]);
    const { items } = await stack.client.plan.list.query();
    const table = await runCaptured(['list', '--server', stack.url]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toBe(items.map(formatPlanRow).join(''));
    expect(table.stdout.split('\n')[0]).toContain(items[0]?.title);

    const json = await runCaptured(['list', '--json', '--limit', '1', '--server', stack.url]);
    expect(JSON.parse(json.stdout)).toEqual(items.slice(0, 1));
  });
});

describe('API keys', () => {
  it('says how to set SLUICE_API_KEY when the server wants one, and works with it', async () => {
    const refused = await runCaptured(['list', '--server', stack.url], { apiKey: undefined });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('SLUICE_API_KEY is not set');

    const wrong = await runCaptured(['list', '--server', stack.url], {
      apiKey: 'sk-sluice-not-a-key',
    });
    expect(wrong.stderr).toContain('The key in SLUICE_API_KEY was refused');

    const accepted = await runCaptured(['list', '--server', stack.url], {
      apiKey: stack.admin.apiKey,
    });
    expect(accepted.stderr).toBe('');
    expect(accepted.exitCode).toBe(0);
  });
});
