import { type Simulator, startSimulator } from '@sluice/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { type InstanceProcess, startInstanceProcess } from './support/instance-process-control';
import { type Instances, startInstances } from './support/instances';
import { assembleText, subscribePlan } from './support/plan-events';
import { createClient } from './support/test-stack';

let running: Instances | undefined;
let killed: InstanceProcess | undefined;
let upstream: Simulator | undefined;
afterEach(async () => {
  await killed?.kill();
  await upstream?.close();
  await running?.close();
  running = undefined;
  killed = undefined;
  upstream = undefined;
});

describe('an instance that dies (SIGKILL)', () => {
  it("has its plans marked partial (instance-lost) by another instance, saved content kept, while that one's own plans complete", async () => {
    running = await startInstances(1, {
      leaseTimeoutMs: 1500,
      simulator: { tokensPerSecond: 200 },
    });
    const b = running.instances[0];
    if (!b) throw new Error('no instance');
    // A runs in a process of its own, streaming slowly from an upstream in this process.
    upstream = await startSimulator({
      tokensPerSecond: 30,
      firstTokenDelayMs: 5,
      keepAliveIntervalMs: 50,
    });
    killed = await startInstanceProcess({
      ...running.env,
      OPENROUTER_BASE_URL: upstream.url,
      OPENROUTER_MODEL: 'sluice/simulator',
      FLUSH_INTERVAL_MS: '50',
      RATE_LIMIT_GENERATIONS_PER_MINUTE: '0',
    });
    const a = createClient(killed.url, { apiKey: b.admin.apiKey });
    const lost = await Promise.all(
      [1, 2].map((index) => a.plan.create.mutate({ goals: `Learn lost art number ${index}` })),
    );
    const watchers = lost.map(({ planId }) => subscribePlan(b.client, planId));
    await Promise.all(watchers.map((watcher) => watcher.received(6)));
    const own = await b.client.plan.create.mutate({ goals: 'Learn to bake bread on B' });
    const ownWatcher = subscribePlan(b.client, own.planId);
    await ownWatcher.received(3);

    await killed.kill();

    for (const [index, watcher] of watchers.entries()) {
      const events = await watcher.ended;
      expect(events.at(-1)?.event).toEqual({
        type: 'end',
        status: 'partial',
        reason: 'instance-lost',
      });
      const plan = await b.client.plan.get.query({ planId: lost[index]?.planId ?? '' });
      expect(plan).toMatchObject({ status: 'partial', reason: 'instance-lost' });
      // What A had saved is kept: a prefix of what its subscribers were sent.
      expect(plan.content.length).toBeGreaterThan(0);
      expect(assembleText(events).startsWith(plan.content)).toBe(true);
    }
    const ownEvents = await ownWatcher.ended;
    expect(ownEvents.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
    expect(await b.client.plan.get.query({ planId: own.planId })).toMatchObject({
      status: 'completed',
      content: assembleText(ownEvents),
    });
  }, 60_000);
});
