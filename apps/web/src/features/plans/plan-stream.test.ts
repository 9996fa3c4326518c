import type { GenerationStatus, PlanEvent } from '@sluice/shared';
import { TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { planText } from './__fixtures__/plan-document';
import {
  createPlanStreamConnection,
  type PlanStreamClient,
  type PlanSubscriptionHandlers,
} from './plan-stream';
import {
  createPlanStreamStore,
  type PlanResumeState,
  type PlanViewUpdate,
} from './plan-stream-store';

interface FakeSubscription {
  input: { planId: string; lastEventId?: string };
  handlers: PlanSubscriptionHandlers;
  closed: boolean;
}

const unreachable = () => TRPCClientError.from(new TypeError('Failed to fetch'));
const notFound = () =>
  TRPCClientError.from({
    error: { message: 'No plan', code: -32004, data: { code: 'NOT_FOUND', httpStatus: 404 } },
  });

interface FakeServer {
  content: string;
  status: GenerationStatus;
  getCalls: number;
  getError: (() => unknown) | null;
  subscriptions: FakeSubscription[];
  readonly latest: FakeSubscription;
  open(): FakeSubscription[];
  view(): PlanViewUpdate;
  write(text: string): void;
  send(subscription: FakeSubscription, event: PlanEvent, id?: string): void;
  connect(subscription?: FakeSubscription): void;
  fail(subscription?: FakeSubscription): void;
}

/** A server holding one plan whose text grows as the test says. */
function fakeServer() {
  const subscriptions: FakeSubscription[] = [];
  const server: FakeServer = {
    content: '',
    status: 'generating',
    getCalls: 0,
    /** What plan.get does: answer with the plan, or throw this. */
    getError: null,
    subscriptions,
    get latest(): FakeSubscription {
      const latest = subscriptions.at(-1);
      if (!latest) throw new Error('no subscription');
      return latest;
    },
    open(): FakeSubscription[] {
      return subscriptions.filter((subscription) => !subscription.closed);
    },
    view(): PlanViewUpdate {
      return {
        status: server.status,
        content: server.content,
        reason: server.status === 'partial' ? 'no-finish-reason' : null,
        error: null,
        usage: null,
      };
    },
    /** Appends text and sends it to every open subscription, as the server would. */
    write(text: string): void {
      server.content += text;
      for (const subscription of server.open()) {
        subscription.handlers.onData({
          id: `${server.content.length}.0`,
          data: { type: 'text-delta', text },
        });
      }
    },
    send(subscription: FakeSubscription, event: PlanEvent, id?: string): void {
      const eventId = id ?? `${server.content.length}.9`;
      subscription.handlers.onData({ id: eventId, data: event });
    },
    connect(subscription: FakeSubscription = server.latest): void {
      subscription.handlers.onConnectionStateChange({ state: 'pending', error: null });
    },
    fail(subscription: FakeSubscription = server.latest): void {
      subscription.handlers.onConnectionStateChange({
        state: 'connecting',
        error: new Error('connection lost'),
      });
    },
  };
  const client: PlanStreamClient = {
    subscribe(input, handlers) {
      const subscription: FakeSubscription = { input, handlers, closed: false };
      subscriptions.push(subscription);
      handlers.onConnectionStateChange({ state: 'connecting', error: null });
      return {
        unsubscribe() {
          subscription.closed = true;
        },
      };
    },
    async get() {
      server.getCalls += 1;
      if (server.getError) throw server.getError();
      return server.view();
    },
  };
  return { server, client };
}

function setUp(resume?: PlanResumeState) {
  const { server, client } = fakeServer();
  const store = createPlanStreamStore({ resume: resume ?? null, schedule: () => {} });
  const ends: number[] = [];
  const connection = createPlanStreamConnection({
    planId: 'plan-1',
    store,
    client,
    onEnd: () => ends.push(Date.now()),
  });
  /** What the page would render now. */
  const snapshot = () => {
    store.flush();
    return store.getSnapshot();
  };
  const content = () => snapshot().content;
  return { server, store, connection, ends, content, snapshot };
}

describe('createPlanStreamConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies the subscription events and stops after the end event', async () => {
    const { server, snapshot, connection, ends, content } = setUp();
    connection.start();
    expect(server.latest.input).toEqual({ planId: 'plan-1' });
    expect(snapshot().connection).toBe('reconnecting');
    server.connect();
    expect(snapshot().connection).toBe('live');
    server.send(server.latest, { type: 'snapshot', status: 'generating', content: '' }, '0.0');
    server.write(planText.slice(0, 50));
    server.write(planText.slice(50));
    server.send(server.latest, { type: 'end', status: 'completed' });

    expect(content()).toBe(planText);
    expect(snapshot().status).toBe('completed');
    expect(snapshot().connection).toBe('live');
    expect(server.latest.closed).toBe(true);
    expect(ends).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.subscriptions).toHaveLength(1);
    expect(server.getCalls).toBe(0);
  });

  it('resumes from the saved event id', () => {
    const { server, connection, content } = setUp({
      lastEventId: '40.2',
      content: planText.slice(0, 40),
      status: 'generating',
      usage: null,
      outcome: null,
    });
    server.content = planText.slice(0, 40);
    connection.start();
    expect(server.latest.input).toEqual({ planId: 'plan-1', lastEventId: '40.2' });
    server.connect();
    server.write(planText.slice(40));
    expect(content()).toBe(planText);
  });

  it('does not subscribe to a plan it saw end, but checks it once against the server', async () => {
    const { server, snapshot, connection } = setUp({
      lastEventId: '9.9',
      content: planText,
      status: 'completed',
      usage: null,
      outcome: { status: 'completed', reason: null, error: null },
    });
    server.content = planText;
    server.status = 'completed';
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.subscriptions).toHaveLength(0);
    expect(server.getCalls).toBe(1);
    expect(snapshot().connection).toBe('live');
  });

  it('falls back to polling plan.get after three failures within 20 s, and says so', async () => {
    const { server, snapshot, connection, content } = setUp();
    connection.start();
    server.connect();
    server.write(planText.slice(0, 30));
    for (const at of [1_000, 2_000, 1_000]) {
      await vi.advanceTimersByTimeAsync(at);
      server.fail();
    }
    expect(snapshot().connection).toBe('polling');
    expect(server.latest.closed).toBe(true);

    server.content = planText.slice(0, 200);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(content()).toBe(planText.slice(0, 200));
    const calls = server.getCalls;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(server.getCalls).toBe(calls + 2);
  });

  it('falls back when the subscription keeps connecting for more than 8 s', async () => {
    const { server, snapshot, connection } = setUp();
    connection.start();
    await vi.advanceTimersByTimeAsync(8_000);
    expect(snapshot().connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(snapshot().connection).toBe('polling');
    expect(server.open()).toHaveLength(0);
  });

  it('goes live again in the background, from a snapshot when polling changed the content', async () => {
    const { server, snapshot, connection, content } = setUp();
    connection.start();
    await vi.advanceTimersByTimeAsync(9_000);
    expect(snapshot().connection).toBe('polling');
    server.content = planText.slice(0, 120);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(content()).toBe(planText.slice(0, 120));

    // Ten seconds after falling back: a new subscription, without an event id.
    await vi.advanceTimersByTimeAsync(8_500);
    const retry = server.latest;
    expect(server.subscriptions).toHaveLength(2);
    expect(retry.input).toEqual({ planId: 'plan-1' });
    server.connect(retry);
    expect(snapshot().connection).toBe('live');
    server.send(
      retry,
      { type: 'snapshot', status: 'generating', content: server.content },
      `${server.content.length}.1`,
    );
    server.write(planText.slice(120));
    server.send(retry, { type: 'end', status: 'completed' });
    expect(content()).toBe(planText);

    // Polling stopped when the subscription got through.
    const calls = server.getCalls;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.getCalls).toBe(calls);
  });

  it('never doubles text when a poll lands while a background subscription resumes', async () => {
    const { server, snapshot, connection, content } = setUp();
    connection.start();
    server.connect();
    server.write(planText.slice(0, 30));
    for (let failure = 0; failure < 3; failure += 1) server.fail();
    expect(snapshot().connection).toBe('polling');
    await vi.advanceTimersByTimeAsync(0);

    // The retry resumes from the id it had (no poll had changed the content yet)…
    await vi.advanceTimersByTimeAsync(10_000);
    const retry = server.latest;
    expect(retry.input.lastEventId).toBe('30.0');
    // …but a poll answers first, with more text.
    server.content = planText.slice(0, 80);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(content()).toBe(planText.slice(0, 80));
    // The retry's replay from 30 would repeat 30…80: it is dropped and a fresh one opened.
    server.send(retry, { type: 'text-delta', text: planText.slice(30, 80) }, '80.0');
    expect(retry.closed).toBe(true);
    const fresh = server.latest;
    expect(fresh.input).toEqual({ planId: 'plan-1' });
    server.connect(fresh);
    server.send(fresh, { type: 'snapshot', status: 'generating', content: server.content }, '80.1');
    server.write(planText.slice(80));
    expect(content()).toBe(planText);
  });

  it('says offline when the server cannot be reached, and reconnects by itself', async () => {
    const { server, snapshot, connection, content } = setUp();
    connection.start();
    server.connect();
    server.write(planText.slice(0, 30));
    server.getError = unreachable;
    server.fail();
    await vi.advanceTimersByTimeAsync(0);
    // One quick check found no server: no need to wait for more failures.
    expect(snapshot().connection).toBe('offline');

    await vi.advanceTimersByTimeAsync(3_000);
    expect(snapshot().connection).toBe('offline');
    server.getError = null;
    server.content = planText.slice(0, 90);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(snapshot().connection).toBe('polling');
    expect(content()).toBe(planText.slice(0, 90));

    await vi.advanceTimersByTimeAsync(10_000);
    server.connect();
    expect(snapshot().connection).toBe('live');
  });

  it('finishes from a poll that finds the plan ended', async () => {
    const { server, snapshot, connection, ends, content } = setUp();
    connection.start();
    await vi.advanceTimersByTimeAsync(9_000);
    server.content = planText.slice(0, 70);
    server.status = 'partial';
    await vi.advanceTimersByTimeAsync(1_500);
    expect(content()).toBe(planText.slice(0, 70));
    expect(snapshot().outcome).toEqual({
      status: 'partial',
      reason: 'no-finish-reason',
      error: null,
    });
    expect(snapshot().connection).toBe('live');
    expect(ends).toHaveLength(1);
    const calls = server.getCalls;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.getCalls).toBe(calls);
    expect(server.open()).toHaveLength(0);
  });

  it('reports an unknown plan and stops', async () => {
    const { server, snapshot, connection } = setUp();
    connection.start();
    server.latest.handlers.onError(notFound());
    expect(snapshot().notFound).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.subscriptions).toHaveLength(1);
  });

  it('subscribes again with the last event id after a fatal subscription error', async () => {
    const { server, connection, content } = setUp();
    connection.start();
    server.connect();
    server.write(planText.slice(0, 25));
    server.latest.handlers.onError(new Error('stream broke'));
    await vi.advanceTimersByTimeAsync(500);
    expect(server.subscriptions).toHaveLength(2);
    expect(server.latest.input).toEqual({ planId: 'plan-1', lastEventId: '25.0' });
    server.connect();
    server.write(planText.slice(25));
    expect(content()).toBe(planText);
  });

  it('asks plan.get when the subscription returns without an end event', async () => {
    const { server, snapshot, connection, content } = setUp();
    connection.start();
    server.connect();
    server.write(planText.slice(0, 25));
    server.content = planText;
    server.status = 'completed';
    server.latest.handlers.onComplete();
    await vi.advanceTimersByTimeAsync(0);
    expect(content()).toBe(planText);
    expect(snapshot().status).toBe('completed');
  });

  it('stops everything on stop, and resumes where it was on start', async () => {
    const { server, connection, content } = setUp();
    connection.start();
    server.connect();
    server.write(planText.slice(0, 25));
    connection.stop();
    expect(server.open()).toHaveLength(0);
    server.content = planText.slice(0, 60);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.subscriptions).toHaveLength(1);

    connection.start();
    expect(server.latest.input).toEqual({ planId: 'plan-1', lastEventId: '25.0' });
    server.connect();
    server.send(server.latest, { type: 'text-delta', text: planText.slice(25, 60) }, '60.0');
    expect(content()).toBe(planText.slice(0, 60));
  });
});
