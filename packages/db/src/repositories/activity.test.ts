import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase } from '../../test/test-database';
import { type SluiceDatabase, withSqliteConnection } from '../database';
import { type aggregateActivity, percentileFromBuckets, queryActivity } from './activity';

let db: SluiceDatabase;
let close: () => Promise<void>;
const now = new Date('2026-12-04T12:30:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();

async function insertPeople() {
  const timestamp = now.toISOString();
  await db
    .insertInto('users')
    .values([
      {
        id: 'ada',
        name: 'Ada',
        email: 'ada@example.com',
        created_at: timestamp,
        updated_at: timestamp,
      },
      {
        id: 'bob',
        name: 'Bob',
        email: 'bob@example.com',
        created_at: timestamp,
        updated_at: timestamp,
      },
    ])
    .execute();
  await db
    .insertInto('chat_sessions')
    .values({
      id: 'session',
      user_id: 'bob',
      title: 't',
      model: 'm',
      created_at: timestamp,
      updated_at: timestamp,
    })
    .execute();
}

interface Row {
  id: string;
  userId: string;
  createdAt: string;
  status: 'generating' | 'completed' | 'failed' | 'cancelled' | 'partial';
  reason?: string;
  errorCode?: string;
  model?: string;
  cost?: number;
  timeToFirstTokenMs?: number;
  durationMs?: number;
  characters?: number;
}

async function insertPlanRow(row: Row) {
  await db
    .insertInto('plan_inputs')
    .values({
      id: `input-${row.id}`,
      user_id: row.userId,
      goals: 'g',
      preferences: '{}',
      created_at: row.createdAt,
    })
    .execute();
  await db
    .insertInto('plans')
    .values({
      id: row.id,
      user_id: row.userId,
      input_id: `input-${row.id}`,
      status: row.status,
      status_reason: row.reason ?? null,
      error_code: row.errorCode ?? null,
      model: row.model ?? 'model-a',
      cost: row.cost ?? null,
      time_to_first_token_ms: row.timeToFirstTokenMs ?? null,
      duration_ms: row.durationMs ?? null,
      characters: row.characters ?? null,
      created_at: row.createdAt,
      updated_at: row.createdAt,
    })
    .execute();
}

async function insertReplyRow(row: Row) {
  await db
    .insertInto('chat_messages')
    .values([
      {
        id: `question-${row.id}`,
        user_id: row.userId,
        session_id: 'session',
        role: 'user',
        content: 'q',
        created_at: row.createdAt,
        updated_at: row.createdAt,
      },
      {
        id: row.id,
        user_id: row.userId,
        session_id: 'session',
        role: 'assistant',
        content: '',
        reply_to: `question-${row.id}`,
        status: row.status,
        status_reason: row.reason ?? null,
        error_code: row.errorCode ?? null,
        model: row.model ?? 'model-b',
        cost: row.cost ?? null,
        time_to_first_token_ms: row.timeToFirstTokenMs ?? null,
        duration_ms: row.durationMs ?? null,
        characters: row.characters ?? null,
        created_at: row.createdAt,
        updated_at: row.createdAt,
      },
    ])
    .execute();
}

describe.each(engines)('queryActivity on %s', (engine) => {
  beforeEach(async () => {
    ({ db, close } = await openTestDatabase(engine));
    await insertPeople();
  });

  afterEach(() => close());

  it('aggregates plans and replies of the range: outcomes per hour, latency, endings, cost', async () => {
    await insertPlanRow({
      id: 'p1',
      userId: 'ada',
      createdAt: hoursAgo(0),
      status: 'completed',
      cost: 0.5,
      timeToFirstTokenMs: 400,
      durationMs: 4000,
      characters: 900,
    });
    await insertPlanRow({
      id: 'p2',
      userId: 'ada',
      createdAt: hoursAgo(0),
      status: 'failed',
      reason: 'upstream-error',
      errorCode: 'UPSTREAM_HTTP',
      cost: 0.1,
    });
    await insertPlanRow({
      id: 'p3',
      userId: 'ada',
      createdAt: hoursAgo(2),
      status: 'partial',
      reason: 'abandoned',
      timeToFirstTokenMs: 600,
      durationMs: 9000,
      characters: 1500,
    });
    await insertPlanRow({ id: 'p4', userId: 'ada', createdAt: hoursAgo(2), status: 'generating' });
    // Outside 24 hours: only in the 7-day range.
    await insertPlanRow({
      id: 'old',
      userId: 'ada',
      createdAt: hoursAgo(30),
      status: 'completed',
      cost: 9,
    });
    await insertReplyRow({
      id: 'r1',
      userId: 'bob',
      createdAt: hoursAgo(1),
      status: 'completed',
      cost: 0.25,
      timeToFirstTokenMs: 200,
      durationMs: 1000,
      characters: 50,
    });
    await insertReplyRow({
      id: 'r2',
      userId: 'bob',
      createdAt: hoursAgo(1),
      status: 'cancelled',
      reason: 'cancelled',
      timeToFirstTokenMs: 250,
      durationMs: 700,
      characters: 80,
    });
    await insertReplyRow({
      id: 'r3',
      userId: 'bob',
      createdAt: hoursAgo(1),
      status: 'cancelled',
      reason: 'cancelled',
      characters: 0,
    });

    const day = await queryActivity(db, { range: '24h', now });
    expect(day.since).toBe('2026-12-03T13:00:00.000Z');
    expect(day.until).toBe('2026-12-04T13:00:00.000Z');
    expect(day.totals).toEqual({
      completed: 2,
      failed: 1,
      cancelled: 2,
      partial: 1,
      generating: 1,
      // completed / (completed + failed + partial): the user's own stops are not failures.
      successRate: 0.5,
      cost: 0.85,
    });
    expect(day.byKind).toEqual([
      { kind: 'plan', completed: 1, failed: 1, cancelled: 0, partial: 1 },
      { kind: 'chat', completed: 1, failed: 0, cancelled: 2, partial: 0 },
    ]);
    expect(day.hourly).toHaveLength(24);
    expect(day.hourly.at(-1)).toEqual({
      hour: '2026-12-04T12',
      completed: 1,
      failed: 1,
      cancelled: 0,
      partial: 0,
      successRate: 0.5,
    });
    expect(day.hourly.at(-2)).toMatchObject({
      hour: '2026-12-04T11',
      completed: 1,
      cancelled: 2,
      successRate: 1,
    });
    expect(day.hourly.at(-3)).toMatchObject({ hour: '2026-12-04T10', partial: 1, successRate: 0 });
    expect(day.hourly[0]).toMatchObject({ hour: '2026-12-03T13', successRate: null });

    // TTFT 200, 250, 400, 600 ms; duration 700, 1000, 4000, 9000 ms (interpolated in buckets).
    expect(day.timeToFirstToken.count).toBe(4);
    expect(day.timeToFirstToken.p50).toBeGreaterThanOrEqual(200);
    expect(day.timeToFirstToken.p50).toBeLessThan(500);
    expect(day.timeToFirstToken.p95).toBeGreaterThanOrEqual(500);
    expect(day.timeToFirstToken.p95).toBeLessThanOrEqual(750);
    expect(day.duration.count).toBe(4);
    expect(day.duration.p95).toBeGreaterThanOrEqual(7500);
    expect(day.duration.p95).toBeLessThanOrEqual(10_000);

    expect(day.cancellations.map(({ reason, count }) => ({ reason, count }))).toEqual([
      { reason: 'cancelled', count: 2 },
      { reason: 'abandoned', count: 1 },
    ]);
    const userStops = day.cancellations[0]?.partialLength;
    expect(userStops?.buckets.filter((bucket) => bucket.count > 0)).toEqual([
      { below: 1, count: 1 },
      { below: 100, count: 1 },
    ]);
    expect(day.errors).toEqual([{ code: 'UPSTREAM_HTTP', count: 1 }]);
    expect(day.costPerDay).toEqual([
      { day: '2026-12-03', cost: 0 },
      { day: '2026-12-04', cost: 0.85 },
    ]);
    expect(day.models).toEqual([
      { model: 'model-a', generations: 4, completed: 1, cost: expect.closeTo(0.6, 9) },
      { model: 'model-b', generations: 3, completed: 1, cost: 0.25 },
    ]);
    expect(day.users).toEqual([
      {
        userId: 'ada',
        name: 'Ada',
        email: 'ada@example.com',
        generations: 4,
        cost: expect.closeTo(0.6, 9),
      },
      { userId: 'bob', name: 'Bob', email: 'bob@example.com', generations: 3, cost: 0.25 },
    ]);

    const week = await queryActivity(db, { range: '7d', now });
    expect(week.hourly).toHaveLength(168);
    expect(week.totals.completed).toBe(3);
    expect(week.costPerDay).toHaveLength(8);
  });

  it('gives the same report from cached past days, reading only the days still open', async () => {
    for (const [index, hours] of [0, 5, 30, 80, 200, 400, 700].entries()) {
      await insertPlanRow({
        id: `plan-${index}`,
        userId: index % 2 ? 'ada' : 'bob',
        createdAt: hoursAgo(hours),
        status: index % 3 ? 'completed' : 'partial',
        reason: index % 3 ? undefined : 'timeout',
        cost: index / 10,
        timeToFirstTokenMs: 100 * index,
        durationMs: 1000 * index,
        characters: 300 * index,
      });
    }
    const days = new Map<string, Awaited<ReturnType<typeof aggregateActivity>>>();
    const cache = { get: (day: string) => days.get(day), set: days.set.bind(days) };
    const fresh = await queryActivity(db, { range: '30d', now });
    expect(await queryActivity(db, { range: '30d', now, cache })).toEqual(fresh);
    // The 29 whole days that ended over an hour ago (not the partial first one, nor today).
    expect([...days.keys()]).toHaveLength(29);
    expect(days.has('2026-12-04')).toBe(false);
    expect(await queryActivity(db, { range: '30d', now, cache })).toEqual(fresh);
    // A row added to a cached day is seen only without the cache; one added today always.
    await insertPlanRow({
      id: 'late',
      userId: 'ada',
      createdAt: hoursAgo(100),
      status: 'failed',
      errorCode: 'X',
    });
    await insertPlanRow({
      id: 'today',
      userId: 'ada',
      createdAt: hoursAgo(0),
      status: 'completed',
    });
    const cached = await queryActivity(db, { range: '30d', now, cache });
    expect(cached.totals.completed).toBe(fresh.totals.completed + 1);
    expect(cached.totals.failed).toBe(fresh.totals.failed);
    expect((await queryActivity(db, { range: '30d', now })).totals.failed).toBe(
      fresh.totals.failed + 1,
    );
  });

  it.runIf(engine === 'sqlite')(
    'answers every query from the activity indexes alone (no table scan)',
    async () => {
      const statements: string[] = [];
      await withSqliteConnection(db, (connection) => {
        const prepare = connection.prepare.bind(connection);
        connection.prepare = ((source: string) => {
          statements.push(source);
          return prepare(source);
        }) as typeof connection.prepare;
      });
      await queryActivity(db, { range: '30d', now });
      const aggregates = statements.filter((source) => source.includes('created_at >='));
      expect(aggregates.length).toBeGreaterThanOrEqual(8);
      const plans = await withSqliteConnection(db, (connection) =>
        aggregates.map((source) =>
          connection
            .prepare(`explain query plan ${source}`)
            .all(
              ...Array.from(source.matchAll(/\?/g), (_, index) =>
                index === 0 ? hoursAgo(720) : hoursAgo(-1),
              ),
            )
            .map((step) => (step as { detail: string }).detail)
            .join(' | '),
        ),
      );
      for (const plan of plans) {
        expect(plan).toMatch(
          /USING COVERING INDEX (plans_activity|chat_messages_activity) \(created_at>\? AND created_at<\?\)/,
        );
        expect(plan).not.toMatch(/SCAN (plans|chat_messages)\b(?! USING)/);
      }
    },
  );
});

describe('percentileFromBuckets', () => {
  it.each([
    { counts: [0, 0, 0], quantile: 0.5, expected: null },
    { counts: [10, 0, 0], quantile: 0.5, expected: 50 },
    { counts: [0, 10, 0], quantile: 0.95, expected: 195 },
    { counts: [0, 0, 4], quantile: 0.5, expected: 200 },
    { counts: [3, 0, 0], quantile: 0.95, expected: 0, bounds: [1, 100] },
  ])('$counts at $quantile → $expected', ({ counts, quantile, expected, bounds }) => {
    expect(percentileFromBuckets(counts, bounds ?? [100, 200], quantile)).toBe(expected);
  });
});
