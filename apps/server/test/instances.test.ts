import { afterEach, describe, expect, it } from 'vitest';
import { assembleReply, subscribeChat } from './support/chat-events';
import { type Instances, startInstances } from './support/instances';
import { assembleText, type ReceivedEvent, subscribePlan } from './support/plan-events';

// API.md "Several instances": instances started with the same DATABASE_URL (PostgreSQL) and
// REDIS_URL behave as one.

let running: Instances | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const goalsOf = (label: string) => `Learn ${label} well enough to teach it`;

function sentFor(instances: Instances, goals: string) {
  return Promise.any(
    instances.instances.map((stack) =>
      stack.simulator.waitFor(
        (request) => request.status === 'completed' && JSON.stringify(request.body).includes(goals),
      ),
    ),
  );
}

describe('several instances on one PostgreSQL and one Redis', () => {
  it('serves a plan created on A to a subscriber on B, exactly, and resumes A→B→A exactly', async () => {
    running = await startInstances(2, { simulator: { tokensPerSecond: 400 } });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];

    const watched = goalsOf('sailing');
    const { planId } = await a.client.plan.create.mutate({ goals: watched });
    const fromB = await subscribePlan(b.client, planId).ended;
    expect(fromB.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
    expect(assembleText(fromB)).toBe((await sentFor(running, watched)).text);

    const resumed = goalsOf('rowing');
    const { planId: resumedId } = await a.client.plan.create.mutate({ goals: resumed });
    const first = subscribePlan(a.client, resumedId);
    await first.received(5);
    first.unsubscribe();
    const second = subscribePlan(b.client, resumedId, first.lastEventId);
    await second.received(5);
    second.unsubscribe();
    const third = subscribePlan(a.client, resumedId, second.lastEventId);
    const rest = await third.ended;
    const all: ReceivedEvent[] = [...first.events, ...second.events, ...rest];
    // Each resume continued exactly where the last one stopped: no snapshot, nothing twice.
    expect(all.filter((item) => item.event.type === 'snapshot')).toHaveLength(1);
    expect(all[0]?.event.type).toBe('snapshot');
    expect(assembleText(all)).toBe((await sentFor(running, resumed)).text);
    const stored = await b.client.plan.get.query({ planId: resumedId });
    expect(stored).toMatchObject({ status: 'completed', content: assembleText(all) });
  });

  it('serves a continuation started on A to B from its saved start, exactly, mid-stream', async () => {
    running = await startInstances(2, { simulator: { tokensPerSecond: 300 } });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];
    const { planId: sourceId } = await a.client.plan.create.mutate({
      goals: goalsOf('cello'),
      model: 'sluice/simulator@length-after-40',
    });
    await subscribePlan(a.client, sourceId).ended;
    const source = await a.client.plan.get.query({ planId: sourceId });
    const { planId } = await a.client.plan.continue.mutate({
      planId: sourceId,
      model: 'sluice/simulator',
    });
    // Joins on B while A streams: its snapshot starts from the saved text A began with.
    const onA = subscribePlan(a.client, planId);
    await onA.received(5);
    const events = await subscribePlan(b.client, planId).ended;
    const continuation = a.simulator.requests.at(-1);
    expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
    expect(assembleText(events)).toBe(source.content + continuation?.text);
    expect(assembleText(await onA.ended)).toBe(assembleText(events));
  });

  it('resumes a chat session A→B exactly, across a reply written on A', async () => {
    running = await startInstances(2, { simulator: { tokensPerSecond: 200 } });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];
    const session = await a.client.chat.createSession.mutate({ title: 'Resumed' });
    const first = subscribeChat(a.client, session.id);
    await first.connected;
    const sent = await a.client.chat.send.mutate({
      sessionId: session.id,
      content: 'Why is the sky blue?',
    });
    await first.received(5);
    first.unsubscribe();
    const second = subscribeChat(b.client, session.id, first.lastEventId);
    const rest = await second.ends(1);
    const all = [...first.events, ...rest];
    expect(rest.filter((item) => item.event.type === 'snapshot')).toHaveLength(0);
    const upstream = await a.simulator.waitFor(
      (request) =>
        request.status === 'completed' && JSON.stringify(request.body).includes('sky blue'),
    );
    expect(assembleReply(all, sent.messageId)).toBe(upstream.text);
    second.unsubscribe();
  });

  it("cancels on B a plan that runs on A: A's upstream request is aborted", async () => {
    running = await startInstances(2, { simulator: { tokensPerSecond: 40 } });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];
    const goals = goalsOf('knitting');
    const { planId } = await a.client.plan.create.mutate({ goals });
    const watcher = subscribePlan(b.client, planId);
    await watcher.received(3);
    expect(await b.client.plan.cancel.mutate({ planId })).toEqual({
      status: 'cancelled',
      cancelled: true,
    });
    const upstream = await a.simulator.waitFor(
      (request) => request.clientAborted && JSON.stringify(request.body).includes(goals),
    );
    expect(upstream.status).toBe('client-aborted');
    const events = await watcher.ended;
    expect(events.at(-1)?.event).toMatchObject({ type: 'end', status: 'cancelled' });
    expect(await a.client.plan.get.query({ planId })).toMatchObject({
      status: 'cancelled',
      content: assembleText(events),
    });
  });

  it('keeps a plan that only another instance watches (it is not abandoned)', async () => {
    running = await startInstances(2, {
      simulator: { tokensPerSecond: 300 },
      env: { ABANDON_AFTER_MS: '300' },
    });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];
    const goals = goalsOf('juggling');
    const { planId } = await a.client.plan.create.mutate({ goals });
    const events = await subscribePlan(b.client, planId).ended;
    expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
    expect(assembleText(events)).toBe((await sentFor(running, goals)).text);
  });

  it('refuses a second reply in a session from another instance, and attaches a retry there', async () => {
    running = await startInstances(2, { simulator: { tokensPerSecond: 200 } });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];
    const session = await a.client.chat.createSession.mutate({ title: 'Across instances' });
    const watcher = subscribeChat(b.client, session.id);
    await watcher.connected;
    const sent = await a.client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do tides work?',
      clientRequestId: 'request-1',
    });
    const conflict = await b.client.chat.send
      .mutate({ sessionId: session.id, content: 'And the moon?' })
      .catch((error: unknown) => error);
    expect((conflict as { data?: { code?: string } }).data?.code).toBe('CONFLICT');
    const retried = await b.client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do tides work?',
      clientRequestId: 'request-1',
    });
    expect(retried).toMatchObject({ messageId: sent.messageId, attached: true });
    const events = await watcher.ends(1);
    const upstream = await a.simulator.waitFor(
      (request) => request.status === 'completed' && JSON.stringify(request.body).includes('tides'),
    );
    expect(assembleReply(events, sent.messageId)).toBe(upstream.text);
    expect(b.simulator.requests).toHaveLength(0);
    watcher.unsubscribe();
  });

  it("starts a third instance without touching the others' running plans", async () => {
    running = await startInstances(2, { simulator: { tokensPerSecond: 150 } });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];
    const onA = await a.client.plan.create.mutate({ goals: goalsOf('pottery') });
    const onB = await b.client.plan.create.mutate({ goals: goalsOf('chess') });
    const watchers = [subscribePlan(a.client, onA.planId), subscribePlan(b.client, onB.planId)];
    await Promise.all(watchers.map((watcher) => watcher.received(3)));
    const c = await running.start();
    await c.close();
    for (const [index, watcher] of watchers.entries()) {
      const events = await watcher.ended;
      expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
      const planId = (index === 0 ? onA : onB).planId;
      expect(await a.client.plan.get.query({ planId })).toMatchObject({
        status: 'completed',
        reason: null,
        content: assembleText(events),
      });
    }
  });

  it('runs 200 plans spread over two instances, each watched on the other, all exact', async () => {
    running = await startInstances(2, { simulator: { tokensPerSecond: 2000 } });
    const [a, b] = running.instances as [
      NonNullable<Instances['instances'][0]>,
      NonNullable<Instances['instances'][0]>,
    ];
    const count = 200;
    const created = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        (index % 2 === 0 ? a : b).client.plan.create.mutate({
          goals: `Goal number ${index}: topic ${index * 7}`,
        }),
      ),
    );
    const results = await Promise.all(
      created.map(
        ({ planId }, index) => subscribePlan((index % 2 === 0 ? b : a).client, planId).ended,
      ),
    );
    const sentByGoal = new Map(
      [...a.simulator.requests, ...b.simulator.requests].map((request) => [
        JSON.stringify(request.body).match(/Goal number (\d+):/)?.[1],
        request.text,
      ]),
    );
    expect(a.simulator.requests).toHaveLength(count / 2);
    expect(b.simulator.requests).toHaveLength(count / 2);
    for (const [index, events] of results.entries()) {
      expect(events.at(-1)?.event).toEqual({ type: 'end', status: 'completed' });
      expect(assembleText(events)).toBe(sentByGoal.get(String(index)));
    }
  }, 120_000);
});
