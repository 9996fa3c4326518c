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

/** The record's entry for `key`, created by `create` when it has none. */
function entryOf<T>(record: Record<string, T>, key: string, create: () => T): T {
  let entry = record[key];
  if (entry === undefined) {
    entry = create();
    record[key] = entry;
  }
  return entry;
}

/** count(*) and sums come back as bigint strings from PostgreSQL: always numbers here. */
const numberOf = (value: unknown): number => (value === null ? 0 : Number(value));

function hourKey(date: Date): string {
  return date.toISOString().slice(0, 13);
}

/**
 * The sums of one time range, in a form that adds up: the report of a range is the merge of
 * its days' aggregates, so days that are over can be kept (see ActivityDayCache).
 */
export interface ActivityAggregate {
  /** Per UTC hour (`2026-12-04T10`). */
  hours: Record<string, ActivityOutcomeCounts & { generating: number; cost: number }>;
  byKind: Record<'plan' | 'chat', ActivityOutcomeCounts>;
  /** Counts per latency bucket (latencyBucketBounds). */
  timeToFirstToken: number[];
  duration: number[];
  /** Per end reason: counts per partial-length bucket, and rows whose length was not kept. */
  endings: Record<string, { buckets: number[]; unknownLength: number }>;
  errors: Record<string, number>;
  models: Record<string, { generations: number; completed: number; cost: number }>;
  /** Per user id ('' for rows without an owner). */
  users: Record<string, { generations: number; cost: number }>;
}

export function emptyActivityAggregate(): ActivityAggregate {
  return {
    hours: {},
    byKind: { plan: emptyCounts(), chat: emptyCounts() },
    timeToFirstToken: new Array<number>(latencyBucketBounds.length + 1).fill(0),
    duration: new Array<number>(latencyBucketBounds.length + 1).fill(0),
    endings: {},
    errors: {},
    models: {},
    users: {},
  };
}

function addCounts(into: ActivityOutcomeCounts, from: ActivityOutcomeCounts): void {
  into.completed += from.completed;
  into.failed += from.failed;
  into.cancelled += from.cancelled;
  into.partial += from.partial;
}

function addArrays(into: number[], from: readonly number[]): void {
  for (let index = 0; index < from.length; index++) {
    into[index] = (into[index] ?? 0) + (from[index] ?? 0);
  }
}

/** Adds `from` into `into`. */
export function mergeActivityAggregates(into: ActivityAggregate, from: ActivityAggregate): void {
  for (const [hour, counts] of Object.entries(from.hours)) {
    const target = entryOf(into.hours, hour, () => ({ ...emptyCounts(), generating: 0, cost: 0 }));
    addCounts(target, counts);
    target.generating += counts.generating;
    target.cost += counts.cost;
  }
  addCounts(into.byKind.plan, from.byKind.plan);
  addCounts(into.byKind.chat, from.byKind.chat);
  addArrays(into.timeToFirstToken, from.timeToFirstToken);
  addArrays(into.duration, from.duration);
  for (const [reason, ending] of Object.entries(from.endings)) {
    const target = entryOf(into.endings, reason, () => ({
      buckets: new Array<number>(partialLengthBucketBounds.length + 1).fill(0),
      unknownLength: 0,
    }));
    addArrays(target.buckets, ending.buckets);
    target.unknownLength += ending.unknownLength;
  }
  for (const [code, count] of Object.entries(from.errors)) {
    into.errors[code] = (into.errors[code] ?? 0) + count;
  }
  for (const [model, entry] of Object.entries(from.models)) {
    const target = entryOf(into.models, model, () => ({ generations: 0, completed: 0, cost: 0 }));
    target.generations += entry.generations;
    target.completed += entry.completed;
    target.cost += entry.cost;
  }
  for (const [userId, entry] of Object.entries(from.users)) {
    const target = entryOf(into.users, userId, () => ({ generations: 0, cost: 0 }));
    target.generations += entry.generations;
    target.cost += entry.cost;
  }
}

/** Sums the plans and chat replies created in [since, until). */
export async function aggregateActivity(
  db: Kysely<Database>,
  range: { since: string; until: string },
): Promise<ActivityAggregate> {
  const { since, until } = range;
  const aggregate = emptyActivityAggregate();
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
    for (const row of perHour.rows) {
      const count = numberOf(row.count);
      const hour = entryOf(aggregate.hours, row.hour, () => ({
        ...emptyCounts(),
        generating: 0,
        cost: 0,
      }));
      addStatus(hour, row.status, count);
      addStatus(aggregate.byKind[kind], row.status, count);
      if (row.status === 'generating') hour.generating += count;
      hour.cost += numberOf(row.cost);
    }

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
      if (firstToken >= 0) {
        aggregate.timeToFirstToken[firstToken] =
          (aggregate.timeToFirstToken[firstToken] ?? 0) + count;
      }
      if (total >= 0) aggregate.duration[total] = (aggregate.duration[total] ?? 0) + count;
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
        aggregate.errors[code] = (aggregate.errors[code] ?? 0) + count;
        continue;
      }
      const reason = row.reason ?? row.status;
      const entry = entryOf(aggregate.endings, reason, () => ({
        buckets: new Array<number>(partialLengthBucketBounds.length + 1).fill(0),
        unknownLength: 0,
      }));
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
      const entry = entryOf(aggregate.models, row.model ?? 'unknown', () => ({
        generations: 0,
        completed: 0,
        cost: 0,
      }));
      entry.generations += numberOf(row.count);
      entry.completed += numberOf(row.completed);
      entry.cost += numberOf(row.cost);
    }

    const perUser = await sql<{ user_id: string | null; count: unknown; cost: unknown }>`
      select user_id, count(*) as count, sum(cost) as cost
      from ${from}
      group by user_id`.execute(db);
    for (const row of perUser.rows) {
      const entry = entryOf(aggregate.users, row.user_id ?? '', () => ({
        generations: 0,
        cost: 0,
      }));
      entry.generations += numberOf(row.count);
      entry.cost += numberOf(row.cost);
    }
  }
  return aggregate;
}

/**
 * Keeps the aggregates of whole UTC days that are over, so a 30-day report reads only today's
 * rows (and the partial first day) from the database. The caller decides how long an entry
 * stays (rows deleted later, a chat session and its replies, still count until then).
 */
export interface ActivityDayCache {
  get(day: string): ActivityAggregate | undefined;
  set(day: string, aggregate: ActivityAggregate): void;
}

export interface ActivityQueryArgs {
  range: ActivityRange;
  now: Date;
  /** Rows in the per-user table (highest cost first). */
  maxUsers?: number;
  /** Rows in the per-model table (most used first). */
  maxModels?: number;
  /** Aggregates of past days; without it every day is read. */
  cache?: ActivityDayCache;
  /**
   * A day is cached only once it ended this long ago: generations created on it have
   * finished (longer than STREAMING_TIMEOUT). Default one hour.
   */
  settleMs?: number;
}

const dayMs = 86_400_000;

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

  // The range in pieces: whole days that are over come from the cache (or are read and kept);
  // the rest (the partial first day, the days still open) is read in as few queries as it takes.
  const aggregate = emptyActivityAggregate();
  const settledBefore = args.now.getTime() - (args.settleMs ?? 3_600_000);
  let pendingFrom: number | undefined;
  const readPending = async (to: number) => {
    if (pendingFrom === undefined || pendingFrom >= to) return;
    const piece = await aggregateActivity(db, {
      since: new Date(pendingFrom).toISOString(),
      until: new Date(to).toISOString(),
    });
    mergeActivityAggregates(aggregate, piece);
    pendingFrom = undefined;
  };
  let cursor = start.getTime();
  while (cursor < end.getTime()) {
    const nextDay = Math.min(Math.floor(cursor / dayMs) * dayMs + dayMs, end.getTime());
    const wholeDay = cursor % dayMs === 0 && nextDay - cursor === dayMs;
    if (args.cache && wholeDay && nextDay <= settledBefore) {
      await readPending(cursor);
      const day = new Date(cursor).toISOString().slice(0, 10);
      let piece = args.cache.get(day);
      if (!piece) {
        piece = await aggregateActivity(db, {
          since: new Date(cursor).toISOString(),
          until: new Date(nextDay).toISOString(),
        });
        args.cache.set(day, piece);
      }
      mergeActivityAggregates(aggregate, piece);
    } else {
      pendingFrom ??= cursor;
    }
    cursor = nextDay;
  }
  await readPending(end.getTime());
  return buildReport(db, aggregate, { ...args, start, end, since, until });
}

/** USD sums, rounded past any provider's precision: the order of additions does not show. */
const money = (value: number) => Math.round(value * 1e10) / 1e10;

async function buildReport(
  db: Kysely<Database>,
  aggregate: ActivityAggregate,
  args: ActivityQueryArgs & { start: Date; end: Date; since: string; until: string },
): Promise<ActivityReport> {
  const hourly: ActivityHour[] = [];
  const costPerDay = new Map<string, number>();
  const totals = { ...emptyCounts(), generating: 0, cost: 0 };
  for (let time = args.start.getTime(); time < args.end.getTime(); time += 3_600_000) {
    const hour = hourKey(new Date(time));
    const counts = aggregate.hours[hour] ?? { ...emptyCounts(), generating: 0, cost: 0 };
    addCounts(totals, counts);
    totals.generating += counts.generating;
    totals.cost += counts.cost;
    const day = hour.slice(0, 10);
    costPerDay.set(day, (costPerDay.get(day) ?? 0) + counts.cost);
    hourly.push({
      hour,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
      partial: counts.partial,
      successRate: successRate(counts),
    });
  }

  const topUsers = Object.entries(aggregate.users)
    .sort(([, left], [, right]) => right.cost - left.cost || right.generations - left.generations)
    .slice(0, args.maxUsers ?? 20);
  const userIds = topUsers.map(([id]) => id).filter((id) => id !== '');
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
    since: args.since,
    until: args.until,
    totals: { ...totals, cost: money(totals.cost), successRate: successRate(totals) },
    byKind: [
      { kind: 'plan', ...aggregate.byKind.plan },
      { kind: 'chat', ...aggregate.byKind.chat },
    ],
    hourly,
    timeToFirstToken: percentiles(aggregate.timeToFirstToken, latencyBucketBounds),
    duration: percentiles(aggregate.duration, latencyBucketBounds),
    cancellations: Object.entries(aggregate.endings)
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
    errors: Object.entries(aggregate.errors)
      .map(([code, count]) => ({ code, count }))
      .sort((left, right) => right.count - left.count),
    costPerDay: [...costPerDay].map(([day, cost]) => ({ day, cost: money(cost) })),
    models: Object.entries(aggregate.models)
      .map(([model, entry]) => ({ model, ...entry, cost: money(entry.cost) }))
      .sort((left, right) => right.generations - left.generations)
      .slice(0, args.maxModels ?? 20),
    users: topUsers.map(([userId, entry]) => {
      const person = userId ? personById.get(userId) : undefined;
      return {
        userId: userId === '' ? null : userId,
        name: person?.name ?? null,
        email: person?.email ?? null,
        generations: entry.generations,
        cost: money(entry.cost),
      };
    }),
  };
}
