import {
  createPlanStreamParser,
  type EndEvent,
  type PlanDocument,
  type PlanEvent,
} from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import {
  createPlanStreamRenderer,
  formatEnd,
  formatHeader,
  formatProgress,
} from './render-plan-stream';

const plan: PlanDocument = {
  title: 'Run a 10 km race',
  monthly_summary:
    'Build from three easy runs to a steady 10 km.\nRace at the end — "negative split" 🏁.',
  weeks: [
    {
      week: 1,
      focus: 'Easy base',
      tasks: [
        { title: 'Easy run', detail: 'Conversational pace', day: 1, minutes: 30 },
        { title: 'Mobility' },
      ],
    },
    { week: 2, focus: 'Race week', tasks: [{ title: 'Race', day: 7 }] },
  ],
};
const text = JSON.stringify(plan, null, 2);
const usage: PlanEvent = { type: 'usage', inputTokens: 1200, outputTokens: 345, cost: 0.00212 };
const completed: PlanEvent = { type: 'end', status: 'completed' };

const expectedOutput = `Run a 10 km race
────────────────

Build from three easy runs to a steady 10 km.
Race at the end — "negative split" 🏁.

Week 1 · Easy base
  • Easy run (day 1, 30 min) — Conversational pace
  • Mobility

Week 2 · Race week
  • Race (day 7)

Usage: 1,200 input + 345 output tokens · $0.0021
Status: completed
`;

function split(value: string, size: number): string[] {
  const chunks: string[] = [];
  for (let offset = 0; offset < value.length; offset += size)
    chunks.push(value.slice(offset, offset + size));
  return chunks;
}

/** What the server sends for `value`: each delta followed by the structural events it completes. */
function liveEvents(value: string, chunkSize: number): PlanEvent[] {
  const completedMarks: PlanEvent[] = [];
  const parser = createPlanStreamParser({
    onEvent: (event) => {
      if (event.type !== 'summary-delta') completedMarks.push(event);
    },
  });
  return split(value, chunkSize).flatMap((chunk): PlanEvent[] => {
    parser.feed(chunk);
    return [{ type: 'text-delta', text: chunk }, ...completedMarks.splice(0)];
  });
}

function renderAll(events: readonly PlanEvent[]) {
  const renderer = createPlanStreamRenderer();
  const outputs = events.map((event) => renderer.render(event));
  return { renderer, outputs, output: outputs.join('') };
}

describe('createPlanStreamRenderer', () => {
  it.each([1, 7, 64, text.length])(
    'shows the title, the summary, each week, usage and status, fed %i characters at a time',
    (chunkSize) => {
      const snapshot: PlanEvent = { type: 'snapshot', status: 'generating', content: '' };
      const { output, renderer } = renderAll([
        snapshot,
        ...liveEvents(text, chunkSize),
        usage,
        completed,
      ]);
      expect(output).toBe(expectedOutput);
      expect(renderer.content).toBe(text);
      expect(renderer.progress).toEqual({ characters: text.length, weeksDone: 2 });
    },
  );

  it('shows the summary as it grows, before it is complete', () => {
    const renderer = createPlanStreamRenderer();
    const summaryStart = text.indexOf('Build');
    const before = renderer.render({ type: 'text-delta', text: text.slice(0, summaryStart + 10) });
    expect(before).toBe('Run a 10 km race\n────────────────\n\nBuild from');
    expect(
      renderer.render({
        type: 'text-delta',
        text: text.slice(summaryStart + 10, summaryStart + 16),
      }),
    ).toBe(' three');
  });

  it('waits for the title to be complete before showing it', () => {
    const renderer = createPlanStreamRenderer();
    expect(renderer.render({ type: 'text-delta', text: '{"title": "Run a 10' })).toBe('');
    expect(renderer.render({ type: 'text-delta', text: ' km race", "monthly_summary": "' })).toBe(
      'Run a 10 km race\n────────────────\n\n',
    );
  });

  it("shows a week when the server's week-end event says it ended, not before", () => {
    const renderer = createPlanStreamRenderer();
    const beforeEvents = renderer.render({ type: 'text-delta', text });
    expect(beforeEvents).not.toContain('Week 1');
    expect(renderer.render({ type: 'summary-end', summary: plan.monthly_summary })).toBe('\n\n');
    expect(renderer.render({ type: 'week-end', index: 0, week: plan.weeks[0], valid: true })).toBe(
      'Week 1 · Easy base\n  • Easy run (day 1, 30 min) — Conversational pace\n  • Mobility\n',
    );
    expect(renderer.progress.weeksDone).toBe(1);
  });

  it('says so when a week does not match the plan format', () => {
    const renderer = createPlanStreamRenderer();
    expect(renderer.render({ type: 'week-end', index: 2, valid: false })).toBe(
      'Week 3 · (this week does not match the plan format)\n',
    );
  });

  it('replaces the text on a snapshot and shows nothing twice (a resume that was not exact)', () => {
    const live = liveEvents(text, 9);
    const seen = live.slice(0, Math.floor(live.length / 2));
    const seenText = seen.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
    // The server answers a resume it cannot do exactly with a snapshot of everything so far.
    const resumedAt = Math.floor((text.length * 3) / 4);
    const snapshot: PlanEvent = {
      type: 'snapshot',
      status: 'generating',
      content: text.slice(0, resumedAt),
    };
    const afterSnapshot = tail(live, resumedAt);

    const { output, renderer } = renderAll([...seen, snapshot, ...afterSnapshot, usage, completed]);
    expect(seenText.length).toBeLessThan(resumedAt);
    expect(output).toBe(expectedOutput);
    expect(renderer.content).toBe(text);
  });

  it('shows the whole plan from the snapshot of a finished plan', () => {
    const snapshot: PlanEvent = { type: 'snapshot', status: 'completed', content: text, plan };
    expect(renderAll([snapshot, usage, completed]).output).toBe(expectedOutput);
  });

  it('ends a cut-off summary on its own line before the status', () => {
    const cut = text.slice(0, text.indexOf('steady'));
    const partial: EndEvent = { type: 'end', status: 'partial', reason: 'length' };
    expect(renderAll([{ type: 'text-delta', text: cut }, partial]).output).toBe(
      'Run a 10 km race\n────────────────\n\nBuild from three easy runs to a \n\nStatus: partial — the model reached its output limit\n',
    );
  });
});

/** The live events after the first `offset` characters, with a delta cut at the offset. */
function tail(events: readonly PlanEvent[], offset: number): PlanEvent[] {
  let position = 0;
  const result: PlanEvent[] = [];
  for (const event of events) {
    if (event.type !== 'text-delta') {
      if (position > offset) result.push(event);
      continue;
    }
    const end = position + event.text.length;
    if (end > offset)
      result.push({ type: 'text-delta', text: event.text.slice(Math.max(0, offset - position)) });
    position = end;
  }
  return result;
}

describe('formatEnd', () => {
  it.each<[EndEvent, string]>([
    [{ type: 'end', status: 'completed' }, 'Status: completed'],
    [
      { type: 'end', status: 'cancelled', reason: 'cancelled' },
      'Status: cancelled — cancelled on request',
    ],
    [
      { type: 'end', status: 'partial', reason: 'server-restart' },
      'Status: partial — the server restarted while writing it',
    ],
    [
      {
        type: 'end',
        status: 'failed',
        reason: 'upstream-error',
        error: { code: 'UPSTREAM_HTTP', message: 'Rate limited', retryable: true },
      },
      'Status: failed — Rate limited; the model provider reported an error; trying again may help',
    ],
  ])('describes %j', (end, expected) => {
    expect(formatEnd(end)).toBe(expected);
  });
});

describe('formatHeader and formatProgress', () => {
  it('labels a simulated model', () => {
    expect(formatHeader({ planId: 'p1', model: 'sluice/simulator', simulated: true })).toBe(
      'Plan p1 · sluice/simulator (simulated model)\n',
    );
    expect(
      formatHeader({ planId: 'p1', model: 'anthropic/claude-sonnet-4', simulated: false }),
    ).toBe('Plan p1 · anthropic/claude-sonnet-4\n');
  });

  it('shows elapsed seconds, characters and weeks done', () => {
    expect(formatProgress({ characters: 12345, weeksDone: 1 }, 3210)).toBe(
      '3.2 s · 12,345 characters · 1 week done',
    );
  });
});
