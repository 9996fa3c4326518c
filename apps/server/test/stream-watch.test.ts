import { streamLimits } from '@sluice/shared';
import type { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import { subscribePlan } from './support/plan-events';
import { channelEnded, channelText, watchStream } from './support/stream-watch';
import { createUser, startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

const goals = 'Learn to juggle three balls';

describe('stream.watch: many generations over one subscription', () => {
  it('streams several plans over one connection, each exact against plan.get, while someone else’s plan ends only its own channel', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
    const other = await createUser(stack);
    const foreign = await other.client.plan.create.mutate({ goals: 'Not yours' });
    const first = await stack.client.plan.create.mutate({ goals });
    const second = await stack.client.plan.create.mutate({ goals: 'Learn to bake bread' });

    const watch = watchStream(stack.client, [
      { kind: 'plan', id: first.planId },
      { kind: 'plan', id: foreign.planId },
      { kind: 'plan', id: second.planId },
    ]);
    await watch.until((messages) => messages.length > 3);
    // One connection on the server, carrying three channels.
    expect(stack.app.watches.stats()).toMatchObject({ open: 1, channels: 3 });
    expect(stack.app.subscriptions.stats().open).toBe(0);
    await watch.until((messages) => channelEnded(messages, 0) && channelEnded(messages, 2));
    watch.close();

    for (const [channel, planId] of [
      [0, first.planId],
      [2, second.planId],
    ] as const) {
      const plan = await stack.client.plan.get.query({ planId });
      expect(plan.status).toBe('completed');
      expect(channelText(watch.messages, channel)).toBe(plan.content);
    }
    // Indistinguishable from an id that does not exist, as plan.events says it.
    const foreignMessages = watch.messages.filter((message) => message.channel === 1);
    expect(foreignMessages).toEqual([
      { channel: 1, error: { code: 'NOT_FOUND', message: expect.any(String) } },
    ]);
    const missingId = '00000000-0000-4000-8000-000000000000';
    const missing = await stack.client.plan.get
      .query({ planId: missingId })
      .catch((error: TRPCClientError<never>) => error.message);
    expect(foreignMessages[0]).toMatchObject({
      error: { message: String(missing).replaceAll(missingId, foreign.planId) },
    });
    // Each event carries its own channel's resumable id, never another's.
    for (const message of watch.messages) {
      if ('id' in message) expect(message.id).toMatch(/^\d+\.\d+$/);
    }
  }, 30_000);

  it('resumes every channel exactly when the set of channels changes mid-stream', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 150 } });
    const plans = await Promise.all(
      ['juggle', 'bake', 'run', 'paint'].map((topic) =>
        stack.client.plan.create.mutate({ goals: `Learn to ${topic}` }),
      ),
    );
    const ids = plans.map((plan) => plan.planId);
    // Each plan's text as one client assembles it, carried over every resubscription.
    const texts = new Map<string, string>();
    const lastIds = new Map<string, string>();
    let watched = [ids[0] as string];
    let snapshots = 0;
    for (let round = 0; round < ids.length + 3; round += 1) {
      const channels = watched.map((id) => ({
        kind: 'plan' as const,
        id,
        lastEventId: lastIds.get(id),
      }));
      const watch = watchStream(stack.client, channels);
      // A few events on each channel still streaming, then change the set.
      const counts = watched.map(() => 0);
      await watch.until((messages) => {
        counts.fill(0);
        for (const message of messages)
          counts[message.channel] = (counts[message.channel] ?? 0) + 1;
        return watched.every(
          (_, channel) => (counts[channel] ?? 0) >= 3 || channelEnded(messages, channel),
        );
      });
      watch.close();
      watched.forEach((id, channel) => {
        for (const message of watch.messages) {
          if (
            message.channel === channel &&
            'event' in message &&
            message.event.type === 'snapshot'
          ) {
            if (lastIds.has(id)) snapshots += 1;
          }
        }
        texts.set(id, channelText(watch.messages, channel, texts.get(id) ?? ''));
        const last = watch.lastEventIds().get(channel);
        if (last) lastIds.set(id, last);
      });
      // Add the next plan; from the third round on, also drop the oldest still watched.
      const next = ids[watched.length];
      watched = next ? [...watched, next] : watched;
      if (round >= 2 && watched.length > 1 && !next)
        watched = [...watched.slice(1), watched[0] as string];
    }
    // Then follow every plan to its end, resuming from each one's last id.
    const final = watchStream(
      stack.client,
      ids.map((id) => ({ kind: 'plan' as const, id, lastEventId: lastIds.get(id) })),
    );
    await final.until((messages) => ids.every((_, channel) => channelEnded(messages, channel)));
    final.close();
    for (const [channel, id] of ids.entries()) {
      const text = channelText(final.messages, channel, texts.get(id) ?? '');
      const plan = await stack.client.plan.get.query({ planId: id });
      expect(text).toBe(plan.content);
      expect(plan.status).toBe('completed');
    }
    // Resumed, never restarted from a snapshot.
    expect(snapshots).toBe(0);
    for (const [channel] of ids.entries()) {
      const snapshot = final.messages.find(
        (message) =>
          message.channel === channel && 'event' in message && message.event.type === 'snapshot',
      );
      expect(snapshot).toBeUndefined();
    }
  }, 60_000);

  it('carries a chat session beside a plan, tagging replies with their message id', async () => {
    stack = await startTestStack({ simulator: { tokensPerSecond: 400 } });
    const session = await stack.client.chat.createSession.mutate({ title: 'Watched' });
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const watch = watchStream(stack.client, [
      { kind: 'chat', id: session.id },
      { kind: 'plan', id: planId },
    ]);
    await stack.served.reached(session.id, 1);
    const sent = await stack.client.chat.send.mutate({
      sessionId: session.id,
      content: 'How do I learn to juggle three balls?',
    });
    await watch.until(
      (messages) =>
        channelEnded(messages, 1) &&
        messages.some(
          (message) =>
            message.channel === 0 &&
            'event' in message &&
            message.event.type === 'end' &&
            'messageId' in message.event &&
            message.event.messageId === sent.messageId,
        ),
    );
    watch.close();
    const detail = await stack.client.chat.getSession.query({ sessionId: session.id });
    const reply = detail.messages.find((message) => message.id === sent.messageId);
    expect(reply?.status).toBe('completed');
    expect(channelText(watch.messages, 0)).toBe(reply?.content);
    expect((await stack.client.plan.get.query({ planId })).content).toBe(
      channelText(watch.messages, 1),
    );
  }, 30_000);

  it('counts each channel against the subscription limits, and refuses more channels than allowed', async () => {
    stack = await startTestStack({ env: { MAX_SUBSCRIPTIONS_PER_CLIENT: '3' } });
    const { planId } = await stack.client.plan.create.mutate({ goals });
    const channel = { kind: 'plan' as const, id: planId };

    const tooMany = watchStream(stack.client, [channel, channel, channel, channel]);
    await expect(tooMany.until(() => false)).rejects.toThrow(/429/);
    tooMany.close();

    const two = watchStream(stack.client, [channel, channel]);
    await two.until((messages) => messages.length >= 2);
    const one = watchStream(stack.client, [channel]);
    await one.until((messages) => messages.length >= 1);
    expect(stack.app.watches.stats()).toMatchObject({ open: 2, channels: 3 });
    // The client's three slots are taken: plan.events is refused too.
    const refused = subscribePlan(stack.client, planId);
    await expect(refused.ended).rejects.toThrow(/429/);
    refused.unsubscribe();
    two.close();
    one.close();

    const overLimit = Array.from({ length: streamLimits.maxChannels + 1 }, () => channel);
    const invalid = watchStream(stack.client, overLimit);
    await expect(invalid.until(() => false)).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    invalid.close();
  }, 30_000);
});
