import { describe, expect, it } from 'vitest';
import { chunkings, splitEvery, splitsInTwo } from '../../test/support/chunkings';
import { planDocumentSchema } from '../schemas/plan';
import { createPlanStreamParser, type PlanParseEvent } from './plan-stream-parser';

/** A plan as a model writes it: pretty-printed, with escapes and multibyte text. */
const fourWeekPlanJson = String.raw`
{
  "title": "Run a 10 km race — ready by week 4 🏃",
  "monthly_summary": "Build from three easy runs to a steady 10 km.\nWeek by week: base, \"tempo\", hills, taper. Café stops allowed ☕, 日本語 notes kept, and one rocket emoji 🚀 for race day.",
  "weeks": [
    {
      "week": 1,
      "focus": "Easy base — find the rhythm",
      "tasks": [
        { "title": "Easy run", "detail": "30 min at a pace where you can talk", "day": 1, "minutes": 30 },
        { "title": "Mobility 🧘", "day": 3, "minutes": 15 },
        { "title": "Long run", "detail": "5 km, no watch", "day": 6, "minutes": 40 }
      ]
    },
    {
      "week": 2,
      "focus": "Tempo: comfortably hard",
      "tasks": [
        { "title": "Tempo run", "detail": "3 \u00d7 8 min with 2 min jog", "day": 2, "minutes": 45 },
        { "title": "Strength", "detail": "Squats, lunges, \\ planks", "day": 4, "minutes": 25.5 }
      ]
    },
    {
      "week": 3,
      "focus": "Hills and \ud83d\udcaa",
      "tasks": [
        { "title": "Hill repeats", "detail": "8 × 60 s uphill", "day": 2, "minutes": 50 },
        { "title": "Long run", "detail": "8 km — stay relaxed", "day": 6, "minutes": 55 }
      ]
    },
    {
      "week": 4,
      "focus": "Taper and race",
      "tasks": [
        { "title": "Shake-out", "day": 3, "minutes": 20 },
        { "title": "Race 🏁", "detail": "10 km, negative split", "day": 7 }
      ]
    }
  ]
}
`;

const expectedPlan = planDocumentSchema.parse(JSON.parse(fourWeekPlanJson));

/** Derived from `JSON.parse`, in the order the document writes the fields. */
const expectedStructuralEvents: PlanParseEvent[] = [
  { type: 'summary-end', summary: expectedPlan.monthly_summary },
  ...expectedPlan.weeks.flatMap((week, index): PlanParseEvent[] => [
    { type: 'week-start', index },
    { type: 'week-end', index, week, valid: true },
  ]),
];

function streamPlan(chunks: readonly string[]) {
  const events: PlanParseEvent[] = [];
  const parser = createPlanStreamParser({ onEvent: (event) => events.push(event) });
  for (const chunk of chunks) parser.feed(chunk);
  return { events, parser };
}

function structural(events: readonly PlanParseEvent[]): PlanParseEvent[] {
  return events.filter((event) => event.type !== 'summary-delta');
}

function summaryDeltas(events: readonly PlanParseEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'summary-delta' ? [event.text] : []));
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const halfCharacter = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('createPlanStreamParser', () => {
  it.each(chunkings(fourWeekPlanJson))(
    'parses the plan and emits its events fed $name',
    ({ chunks }) => {
      const { events, parser } = streamPlan(chunks);
      const result = parser.end();
      expect(structural(events)).toEqual(expectedStructuralEvents);
      expect(result).toEqual({ success: true, value: expectedPlan });
      expect(parser.plan).toEqual(JSON.parse(fourWeekPlanJson));
    },
  );

  it('emits identical structural events for the document split in two at every index', () => {
    for (const chunks of splitsInTwo(fourWeekPlanJson)) {
      const { events } = streamPlan(chunks);
      expect(structural(events)).toEqual(expectedStructuralEvents);
    }
  });

  it.each(chunkings(fourWeekPlanJson, [11, 12, 13]))(
    'streams summary deltas that concatenate to the summary fed $name',
    ({ chunks }) => {
      const deltas = summaryDeltas(streamPlan(chunks).events);
      expect(deltas.join('')).toBe(expectedPlan.monthly_summary);
      for (const delta of deltas) {
        expect(delta).not.toBe('');
        expect(delta).not.toMatch(halfCharacter);
      }
    },
  );

  it('streams the summary as it arrives, before it closes', () => {
    const summaryStart = fourWeekPlanJson.indexOf('Build from');
    const { events, parser } = streamPlan([fourWeekPlanJson.slice(0, summaryStart + 10)]);
    expect(events).toEqual([{ type: 'summary-delta', text: 'Build from' }]);
    expect(parser.plan).toEqual({ title: expectedPlan.title, monthly_summary: 'Build from' });

    const oneByOne = streamPlan(splitEvery(fourWeekPlanJson, 1)).events;
    const summaryEnd = oneByOne.findIndex((event) => event.type === 'summary-end');
    expect(summaryDeltas(oneByOne.slice(0, summaryEnd)).join('')).toBe(
      expectedPlan.monthly_summary,
    );
  });

  it('emits week-start as soon as a week object opens', () => {
    const firstWeek = fourWeekPlanJson.indexOf('{', fourWeekPlanJson.indexOf('"weeks"'));
    const { events, parser } = streamPlan([fourWeekPlanJson.slice(0, firstWeek + 1)]);
    expect(events.at(-1)).toEqual({ type: 'week-start', index: 0 });
    expect(parser.plan.weeks).toEqual([{}]);
  });

  it('reports a week that does not match the schema as invalid, and fails at the end', () => {
    const text = fourWeekPlanJson.replace('"week": 2,', '"week": "two",');
    const { events, parser } = streamPlan(splitEvery(text, 3));
    const weekEnds = events.filter((event) => event.type === 'week-end');
    expect(weekEnds.map((event) => event.valid)).toEqual([true, false, true, true]);
    expect(weekEnds[1]).toEqual({ type: 'week-end', index: 1, valid: false });
    expect(parser.end()).toEqual({
      success: false,
      error: { message: expect.stringContaining('weeks.1.week'), offset: text.length },
    });
  });

  it('fails on a truncated document and keeps the partial plan', () => {
    const cut = fourWeekPlanJson.indexOf('"Hill repeats"') + 5;
    const { events, parser } = streamPlan(splitEvery(fourWeekPlanJson.slice(0, cut), 7));
    expect(structural(events)).toEqual([
      ...expectedStructuralEvents.slice(0, 5),
      { type: 'week-start', index: 2 },
    ]);
    expect(parser.end()).toEqual({
      success: false,
      error: { message: expect.stringContaining('incomplete'), offset: cut },
    });
    expect(parser.plan).toEqual({
      title: expectedPlan.title,
      monthly_summary: expectedPlan.monthly_summary,
      weeks: [
        ...expectedPlan.weeks.slice(0, 2),
        { week: 3, focus: 'Hills and 💪', tasks: [{ title: 'Hill' }] },
      ],
    });
  });

  it('rejects a document wrapped in a markdown fence without emitting anything', () => {
    const { events, parser } = streamPlan([`\`\`\`json${fourWeekPlanJson}\`\`\``]);
    expect(events).toEqual([]);
    expect(parser.end()).toMatchObject({ success: false, error: { offset: 0 } });
    expect(parser.plan).toEqual({});
  });

  it('ignores objects that are not weeks of the top-level weeks array', () => {
    const text = '{"title":"t","extra":{"weeks":[{}]},"monthly_summary":"s","weeks":[[{}]]}';
    expect(structural(streamPlan([text]).events)).toEqual([{ type: 'summary-end', summary: 's' }]);
  });
});
