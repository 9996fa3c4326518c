import type { PlanEvent } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { planDocument, planText } from './__fixtures__/plan-document';
import { createPlanStreamStore, type PlanStreamSnapshot } from './plan-stream-store';

/** A store whose publications run only when the test says so. */
function manualStore(options: Parameters<typeof createPlanStreamStore>[0] = {}) {
  const pending: Array<() => void> = [];
  const store = createPlanStreamStore({ ...options, schedule: (publish) => pending.push(publish) });
  return {
    store,
    pending,
    /** Runs the scheduled frame(s) and returns what React would render. */
    frame(): PlanStreamSnapshot {
      for (const publish of pending.splice(0)) publish();
      return store.getSnapshot();
    },
  };
}

/** Text deltas for `text` cut at `cuts` (sorted offsets), with ids like the server's. */
function deltas(text: string, cuts: number[]): Array<{ id: string; event: PlanEvent }> {
  const bounds = [0, ...cuts, text.length];
  const events: Array<{ id: string; event: PlanEvent }> = [];
  for (let index = 0; index < bounds.length - 1; index += 1) {
    const start = bounds[index] ?? 0;
    const end = bounds[index + 1] ?? text.length;
    if (end === start) continue;
    events.push({ id: `${end}.0`, event: { type: 'text-delta', text: text.slice(start, end) } });
  }
  return events;
}

/** What the page shows, without the fields that say how it was delivered. */
function rendered(snapshot: PlanStreamSnapshot) {
  const { connection: _connection, everLive: _everLive, ...rest } = snapshot;
  return rest;
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('createPlanStreamStore', () => {
  it('starts empty, with no status until an event says', () => {
    const { frame } = manualStore();
    const snapshot = frame();
    expect(snapshot.status).toBeNull();
    expect(snapshot.content).toBe('');
    expect(snapshot.weeks).toEqual([]);
    expect(snapshot.connection).toBe('reconnecting');
  });

  it('appends text deltas to the content and grows the summary through the parser', () => {
    const { store, frame } = manualStore();
    store.apply('0.0', { type: 'snapshot', status: 'generating', content: '' });
    const summaryStart = planText.indexOf('Over the next');
    store.apply(`${summaryStart + 8}.0`, {
      type: 'text-delta',
      text: planText.slice(0, summaryStart + 8),
    });
    let snapshot = frame();
    expect(snapshot.status).toBe('generating');
    expect(snapshot.title).toBe(planDocument.title);
    expect(snapshot.titleComplete).toBe(true);
    expect(snapshot.summary).toBe('Over the');
    expect(snapshot.summaryComplete).toBe(false);

    store.apply(undefined, { type: 'text-delta', text: planText.slice(summaryStart + 8) });
    snapshot = frame();
    expect(snapshot.content).toBe(planText);
    expect(snapshot.summary).toBe(planDocument.monthly_summary);
    expect(snapshot.summaryComplete).toBe(true);
  });

  it('replaces content and plan with a snapshot event', () => {
    const { store, frame } = manualStore();
    for (const { id, event } of deltas(planText, [40, 90])) store.apply(id, event);
    const partial = planText.slice(0, 60);
    store.apply('60.1', { type: 'snapshot', status: 'generating', content: partial });
    const snapshot = frame();
    expect(snapshot.content).toBe(partial);
    expect(snapshot.summaryComplete).toBe(false);
    expect(snapshot.weeks).toEqual([]);
    expect(store.lastEventId).toBe('60.1');
  });

  it('shows weeks as they open and marks them complete when they close', () => {
    const { store, frame } = manualStore();
    const secondWeek = planText.indexOf('{"week":2');
    store.apply('1.0', { type: 'text-delta', text: planText.slice(0, secondWeek + 30) });
    let snapshot = frame();
    expect(snapshot.weeks.map((week) => [week.index, week.complete])).toEqual([
      [0, true],
      [1, false],
    ]);
    expect(snapshot.weeks[0]?.valid).toBe(true);
    expect(snapshot.weeks[0]?.tasks).toEqual(planDocument.weeks[0]?.tasks);
    expect(snapshot.weeks[1]?.focus).toBe('Build a rou');

    store.apply('2.0', { type: 'text-delta', text: planText.slice(secondWeek + 30) });
    snapshot = frame();
    expect(snapshot.weeks.every((week) => week.complete && week.valid)).toBe(true);
    expect(snapshot.weeks[1]?.focus).toBe(planDocument.weeks[1]?.focus);
  });

  it('reuses the copy of a closed week from frame to frame', () => {
    const { store, frame } = manualStore();
    const secondWeek = planText.indexOf('{"week":2');
    store.apply('1.0', { type: 'text-delta', text: planText.slice(0, secondWeek + 10) });
    const first = frame().weeks[0];
    store.apply('2.0', { type: 'text-delta', text: planText.slice(secondWeek + 10) });
    expect(frame().weeks[0]).toBe(first);
  });

  it('takes week-end events from the server as well (idempotently)', () => {
    const { store, frame } = manualStore();
    const secondWeek = planText.indexOf('{"week":2');
    store.apply('1.0', { type: 'text-delta', text: planText.slice(0, secondWeek + 10) });
    store.apply('1.1', { type: 'week-end', index: 0, valid: true });
    store.apply('1.2', { type: 'week-start', index: 1 });
    const snapshot = frame();
    expect(snapshot.weeks.filter((week) => week.complete)).toHaveLength(1);
    expect(store.lastEventId).toBe('1.2');
  });

  it('records usage and the end, with its reason and error', () => {
    const { store, frame } = manualStore();
    store.apply('5.0', { type: 'text-delta', text: '{"tit' });
    store.apply('5.1', { type: 'usage', inputTokens: 120, outputTokens: 40 });
    store.apply('5.2', {
      type: 'end',
      status: 'failed',
      reason: 'upstream-error',
      error: { code: 'UPSTREAM_STREAM', message: 'boom', retryable: true },
    });
    const snapshot = frame();
    expect(snapshot.usage).toEqual({ inputTokens: 120, outputTokens: 40, cost: null });
    expect(snapshot.status).toBe('failed');
    expect(snapshot.outcome).toEqual({
      status: 'failed',
      reason: 'upstream-error',
      error: { code: 'UPSTREAM_STREAM', message: 'boom', retryable: true },
    });
    expect(store.ended).toBe(true);
    expect(snapshot.content).toBe('{"tit');
  });

  it('publishes at most once per frame, however many events arrive', () => {
    const { store, pending, frame } = manualStore();
    let publications = 0;
    store.subscribe(() => {
      publications += 1;
    });
    for (const { id, event } of deltas(planText, [5, 10, 15, 20, 25])) store.apply(id, event);
    expect(pending).toHaveLength(1);
    expect(store.getSnapshot().content).toBe('');
    frame();
    expect(publications).toBe(1);
    expect(store.getSnapshot().content).toBe(planText);
  });

  it('tells watchers about every change synchronously', () => {
    const { store } = manualStore();
    let changes = 0;
    store.watch(() => {
      changes += 1;
    });
    store.apply('1.0', { type: 'text-delta', text: '{' });
    store.apply('2.0', { type: 'text-delta', text: '"' });
    expect(changes).toBe(2);
  });

  it.each([
    ['every character alone', (text: string) => [...Array(text.length).keys()].slice(1)],
    ['one piece', () => []],
    [
      'cuts inside the emoji (UTF-16 surrogates)',
      (text: string) => {
        const emoji = text.indexOf('🏃');
        return [emoji + 1, emoji + 2];
      },
    ],
  ])('ends in the same state for any split of the same text: %s', (_name, cutsOf) => {
    const reference = manualStore();
    reference.store.apply(`${planText.length}.0`, { type: 'text-delta', text: planText });
    const expected = rendered(reference.frame());

    const split = manualStore();
    for (const { id, event } of deltas(planText, cutsOf(planText))) split.store.apply(id, event);
    expect(rendered(split.frame())).toEqual(expected);
  });

  it('ends in the same state for random splits, with frames in between', () => {
    const random = seededRandom(7);
    const reference = manualStore();
    reference.store.apply('x', { type: 'text-delta', text: planText });
    const expected = rendered(reference.frame());
    for (let round = 0; round < 25; round += 1) {
      const cuts = [...new Set([...Array(12)].map(() => Math.floor(random() * planText.length)))]
        .filter((cut) => cut > 0)
        .sort((a, b) => a - b);
      const split = manualStore();
      for (const { id, event } of deltas(planText, cuts)) {
        split.store.apply(id, event);
        if (random() < 0.3) split.frame();
      }
      expect(rendered(split.frame())).toEqual(expected);
    }
  });

  it('ends in the same state after a snapshot in the middle as with the whole text', () => {
    const reference = manualStore();
    reference.store.apply('x', { type: 'text-delta', text: planText });
    const expected = rendered(reference.frame());

    const resumed = manualStore();
    resumed.store.apply('30.0', { type: 'text-delta', text: planText.slice(0, 30) });
    resumed.store.apply('200.2', {
      type: 'snapshot',
      status: 'generating',
      content: planText.slice(0, 200),
    });
    resumed.store.apply('x', { type: 'text-delta', text: planText.slice(200) });
    expect(rendered(resumed.frame())).toEqual(expected);
  });

  it('saves a resume state and restores the same page from it', () => {
    const { store, frame } = manualStore();
    const half = Math.floor(planText.length / 2);
    store.apply(`${half}.3`, { type: 'text-delta', text: planText.slice(0, half) });
    store.apply(`${half}.4`, { type: 'usage', inputTokens: 1, outputTokens: 2, cost: 0.5 });
    const saved = store.resumeState();
    expect(saved).toEqual({
      lastEventId: `${half}.4`,
      content: planText.slice(0, half),
      status: 'generating',
      usage: { inputTokens: 1, outputTokens: 2, cost: 0.5 },
      outcome: null,
    });

    const restored = manualStore({ resume: saved });
    expect(restored.store.lastEventId).toBe(`${half}.4`);
    expect(rendered(restored.frame())).toEqual(rendered(frame()));
    // And it continues exactly where it was.
    restored.store.apply('end', { type: 'text-delta', text: planText.slice(half) });
    expect(restored.frame().content).toBe(planText);
    expect(restored.frame().weeks.every((week) => week.complete)).toBe(true);
  });

  it('has nothing to save before the first event', () => {
    expect(manualStore().store.resumeState()).toBeNull();
  });

  it('applies a polled plan.get: replaces differing content and forgets the event id', () => {
    const { store, frame } = manualStore();
    store.apply('10.0', { type: 'text-delta', text: planText.slice(0, 10) });
    store.applyView({
      status: 'generating',
      content: planText.slice(0, 120),
      reason: null,
      error: null,
      usage: null,
    });
    expect(store.lastEventId).toBeNull();
    expect(store.pollReplacements).toBe(1);
    expect(frame().content).toBe(planText.slice(0, 120));

    // The same content again is no replacement.
    store.applyView({
      status: 'partial',
      content: planText.slice(0, 120),
      reason: 'no-finish-reason',
      error: null,
      usage: { inputTokens: 3, outputTokens: 4, cost: null },
    });
    expect(store.pollReplacements).toBe(1);
    const snapshot = frame();
    expect(snapshot.status).toBe('partial');
    expect(snapshot.outcome).toEqual({
      status: 'partial',
      reason: 'no-finish-reason',
      error: null,
    });
    expect(snapshot.usage).toEqual({ inputTokens: 3, outputTokens: 4, cost: null });
    expect(store.ended).toBe(true);
  });

  it('keeps an unfinished title marked as such', () => {
    const { store, frame } = manualStore();
    store.apply('1.0', { type: 'text-delta', text: '{"title":"Run a 1' });
    expect(frame().titleComplete).toBe(false);
    store.apply('2.0', { type: 'text-delta', text: '0k"' });
    const snapshot = frame();
    expect(snapshot.title).toBe('Run a 10k');
    expect(snapshot.titleComplete).toBe(true);
  });

  it('records the connection mode and whether the page was ever live', () => {
    const { store, frame } = manualStore();
    store.setConnection('live');
    store.setConnection('reconnecting');
    const snapshot = frame();
    expect(snapshot.connection).toBe('reconnecting');
    expect(snapshot.everLive).toBe(true);
    store.setNotFound();
    expect(frame().notFound).toBe(true);
  });
});
