import { rmSync } from 'node:fs';
import type { PlanEvent } from '@sluice/shared';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { startTestStack, type TestStack } from '../../server/test/support/test-stack';
import { createSluiceClient } from '../src/client';
import { ConnectionLostError, followPlanEvents } from '../src/follow-plan-events';
import { fastRetry, runCaptured, startCli } from './support/captured-cli';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';
import { waitUntil } from './support/wait-until';

let stack: TestStack;
let proxy: TcpProxy;

beforeEach(async () => {
  stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
  proxy = await startTcpProxy(stack.url);
});

afterEach(async () => {
  await proxy?.close();
  await stack?.close();
});

const goals = 'Learn to bake sourdough bread and run three times a week';

/** Characters the simulator has sent for the (only) plan so far. */
function upstreamCharacters(): number {
  return stack.simulator.requests[0]?.text.length ?? 0;
}

/**
 * Cuts every connection through the proxy each time the upstream passes one of these lengths,
 * each time only once the client is back from the previous cut and has received something
 * over its new connection: every cut hits a live connection, however slowly a loaded machine
 * reconnects.
 */
async function dropConnectionsAt(
  lengths: readonly number[],
  client: { reconnects: () => number; progress: () => number },
): Promise<void> {
  let progressAtCut = -1;
  for (const [index, length] of lengths.entries()) {
    await waitUntil(
      () =>
        upstreamCharacters() >= length &&
        client.reconnects() === index &&
        client.progress() > progressAtCut,
      () => `upstream ${upstreamCharacters()}, reconnects ${client.reconnects()}`,
    );
    progressAtCut = client.progress();
    proxy.dropConnections();
  }
}

function assemble(events: readonly PlanEvent[]): string {
  let text = '';
  for (const event of events) {
    if (event.type === 'snapshot') text = event.content;
    else if (event.type === 'text-delta') text += event.text;
  }
  return text;
}

describe('followPlanEvents through a connection that keeps breaking', { timeout: 30_000 }, () => {
  it('resumes from the last event id: one snapshot, no event twice, the exact text', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const events: PlanEvent[] = [];
    const reconnects: number[] = [];
    const following = followPlanEvents({
      client: createSluiceClient(proxy.url, stack.admin.apiKey),
      planId,
      onEvent: (event) => events.push(event),
      onReconnect: (attempt) => reconnects.push(attempt),
      signal: new AbortController().signal,
      retry: fastRetry,
    });
    await dropConnectionsAt([300, 900, 1500], {
      reconnects: () => reconnects.length,
      progress: () => events.length,
    });
    const end = await following;

    expect(end).toEqual({ type: 'end', status: 'completed' });
    expect(reconnects).toEqual([1, 1, 1]);
    expect(events.filter((event) => event.type === 'snapshot')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'end')).toHaveLength(1);
    const view = await stack.client.plan.get.query({ planId });
    expect(assemble(events)).toBe(view.content);
    expect(assemble(events)).toBe(stack.simulator.requests[0]?.text);
  });

  it('gives up with ConnectionLostError when the server stays away', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const reconnects: number[] = [];
    const following = followPlanEvents({
      client: createSluiceClient(proxy.url, stack.admin.apiKey),
      planId,
      onEvent: () => {},
      onReconnect: (attempt) => reconnects.push(attempt),
      signal: new AbortController().signal,
      retry: fastRetry,
    });
    await waitUntil(() => upstreamCharacters() >= 300);
    await proxy.close();
    const error = await following.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as ConnectionLostError).attempts).toBe(fastRetry.attempts);
    expect(reconnects).toEqual([1, 2, 3]);
  });
});

describe('sluice through a connection that keeps breaking', { timeout: 30_000 }, () => {
  it('shows the plan exactly as a clean watch does, after reconnecting', async () => {
    const cli = startCli(['plan', goals, '--server', proxy.url]);
    await dropConnectionsAt([300, 900, 1500], {
      reconnects: () => cli.stderr.match(/Connection lost; reconnecting/g)?.length ?? 0,
      progress: () => cli.stdout.length,
    });
    expect(await cli.exited).toBe(0);
    expect(
      cli.stderr.match(/Connection lost; reconnecting in 0\.0 s \(attempt 1\)…\n/g),
    ).toHaveLength(3);

    const planId = (await stack.client.plan.list.query()).items[0]?.id ?? '';
    const clean = await runCaptured(['watch', planId, '--server', proxy.url]);
    expect(cli.stdout).toBe(clean.stdout);
  });

  it('resumes across a server restart behind the same address, ending with what was saved (exit 3)', async () => {
    const cli = startCli(['plan', goals, '--server', proxy.url], {
      retry: { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 },
    });
    await waitUntil(() => upstreamCharacters() >= 600);
    // The server goes away: connections break and new ones fail until it is back.
    proxy.retarget(undefined);
    proxy.dropConnections();
    const { directory } = stack;
    await stack.close({ keepFiles: true });
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    stack = await startTestStack({ directory, simulator: { tokensPerSecond: 400 } });
    proxy.retarget(stack.url);

    expect(await cli.exited).toBe(3);
    expect(cli.stderr).toContain('Connection lost; reconnecting');
    const planId = (await stack.client.plan.list.query()).items[0]?.id ?? '';
    const view = await stack.client.plan.get.query({ planId });
    expect(view).toMatchObject({ status: 'partial', reason: 'server-restart' });
    expect(cli.stdout).toMatch(/\nStatus: partial — the server restarted while writing it\n$/);
    const clean = await runCaptured(['watch', planId, '--server', stack.url]);
    expect(cli.stdout).toBe(clean.stdout);
  });

  it('gives up with a clear message and exit 1 when the server stays away', async () => {
    const cli = startCli(['plan', goals, '--server', proxy.url]);
    await waitUntil(() => upstreamCharacters() >= 300);
    await proxy.close();
    expect(await cli.exited).toBe(1);
    const planId = (await stack.client.plan.list.query()).items[0]?.id ?? '';
    expect(cli.stderr).toContain(
      `Lost the connection to the Sluice server at ${proxy.url}; 3 reconnection attempts failed. The plan may still be generating: resume with \`sluice watch ${planId}\`.\n`,
    );
  });
});
