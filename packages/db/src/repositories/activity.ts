import { type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';
import type { Database } from '../schema';

/**
 * What the admin's activity page shows, aggregated in SQL from the stored plans and chat
 * replies (not from counters that reset). Every query reads one created_at range through an
 * index that holds all the columns it needs (migration 2026-12-04-001-activity), groups it,
 * and returns a few hundred rows at most. Portable SQL (case, count, sum), except the hour of
 * a timestamp: ISO text on SQLite, timestamptz on PostgreSQL.
 */

export type ActivityRange = '24h' | '7d' | '30d';

export const activityRangeHours: Record<ActivityRange, number> = {
  '24h': 24,
  '7d': 24 * 7,
  '30d': 24 * 30,
};

export interface ActivityOutcomeCounts {
  completed: number;
  failed: number;
  cancelled: number;
  partial: number;
}

export interface ActivityHour extends ActivityOutcomeCounts {
  /** `2026-12-04T10` (UTC). */
  hour: string;
  /** completed / (completed + failed + partial); a user's own stop is not a failure. Null: none. */
  successRate: number | null;
}

export interface ActivityPercentiles {
  /** How many generations had the figure. */
  count: number;
  /** Milliseconds, interpolated in a histogram bucket (null without data). */
  p50: number | null;
  p95: number | null;
}

export interface ActivityHistogramBucket {
  /** Upper bound (exclusive); null for the last, open bucket. */
  below: number | null;
  count: number;
}

export interface ActivityCancellation {
  /** cancelled (user stop), abandoned, timeout, idle-timeout, length (token budget), server-restart (instance lost), … */
  reason: string;
  count: number;
  /** Characters kept when it stopped. */
  partialLength: ActivityPercentiles & { buckets: ActivityHistogramBucket[] };
}

export interface ActivityReport {
  range: ActivityRange;
  /** The range covered: [since, until). */
  since: string;
  until: string;
  totals: ActivityOutcomeCounts & {
    generating: number;
    successRate: number | null;
    cost: number;
  };
  byKind: Array<{ kind: 'plan' | 'chat' } & ActivityOutcomeCounts>;
  hourly: ActivityHour[];
  timeToFirstToken: ActivityPercentiles;
  duration: ActivityPercentiles;
  cancellations: ActivityCancellation[];
  errors: Array<{ code: string; count: number }>;
  costPerDay: Array<{ day: string; cost: number }>;
  /** Most used first: the top models. */
  models: Array<{
    model: string;
    generations: number;
    completed: number;
    cost: number;
  }>;
  /** Highest cost first (at most `maxUsers`). */
  users: Array<{
    userId: string | null;
    name: string | null;
    email: string | null;
    generations: number;
    cost: number;
  }>;
}

/** Milliseconds: the upper bounds of the latency histogram's buckets. */
export const latencyBucketBounds = [
  50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000, 15_000, 20_000, 30_000,
  60_000, 120_000, 300_000, 600_000,
];
/** Characters: the upper bounds of the partial-length histogram's buckets. */
export const partialLengthBucketBounds = [1, 100, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000];

type Table = 'plans' | 'chat_messages';
const tables: ReadonlyArray<{ table: Table; kind: 'plan' | 'chat' }> = [
  { table: 'plans', kind: 'plan' },
  { table: 'chat_messages', kind: 'chat' },
];

/** `case when column < b0 then 0 when column < b1 then 1 … else n end`: the bucket's index. */
function bucketOf(column: string, bounds: readonly number[]): RawBuilder<number> {
  const reference = sql.ref(column);
  const branches = bounds.map(
    (bound, index) => sql`when ${reference} < ${sql.lit(bound)} then ${sql.lit(index)}`,
  );
  return sql<number>`case ${sql.join(branches, sql` `)} else ${sql.lit(bounds.length)} end`;
}

/** The percentile from bucket counts, interpolated linearly inside its bucket. */
export function percentileFromBuckets(
  counts: readonly number[],
  bounds: readonly number[],
  quantile: number,
): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = quantile * total;
  let seen = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index] ?? 0;
    if (count > 0 && seen + count >= rank) {
      const lower = index === 0 ? 0 : (bounds[index - 1] ?? 0);
      // The open last bucket has no upper bound: report its lower one.
      const upper = bounds[index] ?? lower;
      // A bucket one unit wide (the empty texts, below 1 character) holds only its lower bound.
      if (upper - lower <= 1) return lower;
      return Math.round(lower + ((upper - lower) * (rank - seen)) / count);
    }
    seen += count;
  }
  return bounds.at(-1) ?? null;
}

function percentiles(counts: readonly number[], bounds: readonly number[]): ActivityPercentiles {
  return {
    count: counts.reduce((sum, count) => sum + count, 0),
    p50: percentileFromBuckets(counts, bounds, 0.5),
    p95: percentileFromBuckets(counts, bounds, 0.95),
  };
}

function successRate(counts: ActivityOutcomeCounts): number | null {
  const ended = counts.completed + counts.failed + counts.partial;
  return ended === 0 ? null : counts.completed / ended;
}

const emptyCounts = (): ActivityOutcomeCounts => ({
  completed: 0,
  failed: 0,
  cancelled: 0,
  partial: 0,
});

function addStatus(counts: ActivityOutcomeCounts, status: string, count: number): void {
  if (
    status === 'completed' ||
    status === 'failed' ||
    status === 'cancelled' ||
    status === 'partial'
  )
    counts[status] += count;
}

/** count(*) and sums come back as bigint strings from PostgreSQL: always numbers here. */
const numberOf = (value: unknown): number => (value === null ? 0 : Number(value));

function hourKey(date: Date): string {
  return date.toISOString().slice(0, 13);
}

export interface ActivityQueryArgs {
  range: ActivityRange;
  now: Date;
  /** Rows in the per-user table (highest cost first). */
  maxUsers?: number;
  /** Rows in the per-model table (most used first). */
  maxModels?: number;
}

/** The aggregates of the admin's activity page over the last 24 hours, 7 days or 30 days. */
export async function queryActivity(
  db: Kysely<Database>,
  args: ActivityQueryArgs,
): Promise<ActivityReport> {
  const hours = activityRangeHours[args.range];
  // Whole hours: the range ends with the current hour.
  const end = new Date(args.now);
  end.setUTCMinutes(0, 0, 0);
  end.setUTCHours(end.getUTCHours() + 1);
  const start = new Date(end.getTime() - hours * 3_600_000);
  const since = start.toISOString();
  const until = end.toISOString();

  const hourly = new Map<string, ActivityOutcomeCounts>();
  for (let time = start.getTime(); time < end.getTime(); time += 3_600_000) {
    hourly.set(hourKey(new Date(time)), emptyCounts());
  }
  const totals = { ...emptyCounts(), generating: 0, cost: 0 };
  const byKind: ActivityReport['byKind'] = [];
  const costPerDay = new Map<string, number>();
  const timeToFirstToken = new Array<number>(latencyBucketBounds.length + 1).fill(0);
  const duration = new Array<number>(latencyBucketBounds.length + 1).fill(0);
  /** Per reason: counts per length bucket, and rows from before lengths were kept. */
  const cancellations = new Map<string, { buckets: number[]; unknownLength: number }>();
  const errors = new Map<string, number>();
  const models = new Map<string, { generations: number; completed: number; cost: number }>();
  const users = new Map<string | null, { generations: number; cost: number }>();

  // `2026-12-04T10`: the UTC hour a row was created in.
  const hourOfCreation =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24')`
      : sql<string>`substr(created_at, 1, 13)`;

  for (const { table, kind } of tables) {
    // The range, and for chat the assistant rows (a literal, so the partial index applies).
    // Nothing else in a where clause: a status filter would tempt the planner to another index;
    // the groups are filtered here instead.
    const from = sql`${sql.table(table)} where created_at >= ${since} and created_at < ${until}${
      table === 'chat_messages' ? sql` and role = 'assistant'` : sql``
    }`;

    const perHour = await sql<{ hour: string; status: string; count: unknown; cost: unknown }>`
      select ${hourOfCreation} as hour, status, count(*) as count, sum(cost) as cost
      from ${from}
      group by 1, 2`.execute(db);
    const kindCounts = emptyCounts();
    for (const row of perHour.rows) {
      const count = numberOf(row.count);
      const cost = numberOf(row.cost);
      const hour = hourly.get(row.hour);
      if (hour) addStatus(hour, row.status, count);
      addStatus(totals, row.status, count);
      addStatus(kindCounts, row.status, count);
      if (row.status === 'generating') totals.generating += count;
      totals.cost += cost;
      const day = row.hour.slice(0, 10);
      costPerDay.set(day, (costPerDay.get(day) ?? 0) + cost);
    }
    byKind.push({ kind, ...kindCounts });

    const latency = await sql<{ first_token: number; duration: number; count: unknown }>`
      select
        case when time_to_first_token_ms is null then -1 else ${bucketOf('time_to_first_token_ms', latencyBucketBounds)} end as first_token,
        case when duration_ms is null then -1 else ${bucketOf('duration_ms', latencyBucketBounds)} end as duration,
        count(*) as count
      from ${from}
      group by 1, 2`.execute(db);
    for (const row of latency.rows) {
      const count = numberOf(row.count);
      const firstToken = Number(row.first_token);
      const total = Number(row.duration);
      if (firstToken >= 0)
        timeToFirstToken[firstToken] = (timeToFirstToken[firstToken] ?? 0) + count;
      if (total >= 0) duration[total] = (duration[total] ?? 0) + count;
    }

    const endings = await sql<{
      status: string;
      reason: string | null;
      code: string | null;
      length: number;
      count: unknown;
    }>`
      select status, status_reason as reason, error_code as code,
        case when characters is null then -1 else ${bucketOf('characters', partialLengthBucketBounds)} end as length,
        count(*) as count
      from ${from}
      group by 1, 2, 3, 4`.execute(db);
    for (const row of endings.rows) {
      const count = numberOf(row.count);
      if (row.status === 'completed' || row.status === 'generating') continue;
      if (row.status === 'failed') {
        const code = row.code ?? 'UNKNOWN';
        errors.set(code, (errors.get(code) ?? 0) + count);
        continue;
      }
      const reason = row.reason ?? row.status;
      let entry = cancellations.get(reason);
      if (!entry) {
        entry = {
          buckets: new Array<number>(partialLengthBucketBounds.length + 1).fill(0),
          unknownLength: 0,
        };
        cancellations.set(reason, entry);
      }
      const bucket = Number(row.length);
      if (bucket >= 0) entry.buckets[bucket] = (entry.buckets[bucket] ?? 0) + count;
      else entry.unknownLength += count;
    }

    const perModel = await sql<{
      model: string | null;
      count: unknown;
      completed: unknown;
      cost: unknown;
    }>`
      select model, count(*) as count,
        sum(case when status = 'completed' then 1 else 0 end) as completed,
        sum(cost) as cost
      from ${from}
      group by model`.execute(db);
    for (const row of perModel.rows) {
      const model = row.model ?? 'unknown';
      const entry = models.get(model) ?? { generations: 0, completed: 0, cost: 0 };
      entry.generations += numberOf(row.count);
      entry.completed += numberOf(row.completed);
      entry.cost += numberOf(row.cost);
      models.set(model, entry);
    }

    const perUser = await sql<{ user_id: string | null; count: unknown; cost: unknown }>`
      select user_id, count(*) as count, sum(cost) as cost
      from ${from}
      group by user_id`.execute(db);
    for (const row of perUser.rows) {
      const entry = users.get(row.user_id) ?? { generations: 0, cost: 0 };
      entry.generations += numberOf(row.count);
      entry.cost += numberOf(row.cost);
      users.set(row.user_id, entry);
    }
  }

  const topUsers = [...users]
    .sort(([, left], [, right]) => right.cost - left.cost || right.generations - left.generations)
    .slice(0, args.maxUsers ?? 20);
  const userIds = topUsers.map(([id]) => id).filter((id): id is string => id !== null);
  const people =
    userIds.length === 0
      ? []
      : await db
          .selectFrom('users')
          .select(['id', 'name', 'email'])
          .where('id', 'in', userIds)
          .execute();
  const personById = new Map(people.map((person) => [person.id, person]));

  return {
    range: args.range,
    since,
    until,
    totals: { ...totals, successRate: successRate(totals) },
    byKind,
    hourly: [...hourly].map(([hour, counts]) => ({
      hour,
      ...counts,
      successRate: successRate(counts),
    })),
    timeToFirstToken: percentiles(timeToFirstToken, latencyBucketBounds),
    duration: percentiles(duration, latencyBucketBounds),
    cancellations: [...cancellations]
      .map(([reason, entry]) => ({
        reason,
        count: entry.buckets.reduce((sum, count) => sum + count, 0) + entry.unknownLength,
        partialLength: {
          ...percentiles(entry.buckets, partialLengthBucketBounds),
          buckets: entry.buckets.map((count, index) => ({
            below: partialLengthBucketBounds[index] ?? null,
            count,
          })),
        },
      }))
      .sort((left, right) => right.count - left.count),
    errors: [...errors]
      .map(([code, count]) => ({ code, count }))
      .sort((left, right) => right.count - left.count),
    costPerDay: [...new Set([...hourly.keys()].map((hour) => hour.slice(0, 10)))].map((day) => ({
      day,
      cost: costPerDay.get(day) ?? 0,
    })),
    models: [...models]
      .map(([model, entry]) => ({ model, ...entry }))
      .sort((left, right) => right.generations - left.generations)
      .slice(0, args.maxModels ?? 20),
    users: topUsers.map(([userId, entry]) => {
      const person = userId ? personById.get(userId) : undefined;
      return {
        userId,
        name: person?.name ?? null,
        email: person?.email ?? null,
        ...entry,
      };
    }),
  };
}
