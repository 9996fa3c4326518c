import {
  type ActivityAggregate,
  type ActivityDayCache,
  type ActivityRange,
  type ActivityReport,
  queryActivity,
  type SluiceDatabase,
} from '@sluice/db';

export interface ActivityServiceOptions {
  db: SluiceDatabase;
  now?: () => Date;
  /**
   * How long a report is reused: admins reloading the page (or several admins) do not
   * re-aggregate the range each time. 0 = always fresh.
   */
  reuseForMs?: number;
  /** How long a past day's aggregate is kept before it is read again (rows deleted since). */
  keepDaysForMs?: number;
  /** A day is cached once it ended this long ago (longer than any generation runs). */
  settleMs?: number;
}

const largestRangeDays = 31;

/** Past days' aggregates in memory, each for `keepForMs`, the last month's at most. */
function createDayCache(keepForMs: number, now: () => Date): ActivityDayCache {
  const days = new Map<string, { aggregate: ActivityAggregate; storedAt: number }>();
  return {
    get(day) {
      const entry = days.get(day);
      if (!entry) return undefined;
      if (now().getTime() - entry.storedAt > keepForMs) {
        days.delete(day);
        return undefined;
      }
      return entry.aggregate;
    },
    set(day, aggregate) {
      days.set(day, { aggregate, storedAt: now().getTime() });
      // Oldest first (ISO dates sort): never more than a month of days.
      const sorted = [...days.keys()].sort();
      for (const old of sorted.slice(0, Math.max(0, sorted.length - largestRangeDays))) {
        days.delete(old);
      }
    },
  };
}

/**
 * The admin's activity page, aggregated from the stored plans and replies. Days that are over
 * are read once and kept for a while, so a 30-day report reads today's rows and little else.
 */
export function createActivityService(options: ActivityServiceOptions) {
  const now = options.now ?? (() => new Date());
  const reuseForMs = options.reuseForMs ?? 15_000;
  const cache = createDayCache(options.keepDaysForMs ?? 3_600_000, now);
  /** Per range: the report being made or made last, and when it was asked for. */
  const recent = new Map<ActivityRange, { at: number; report: Promise<ActivityReport> }>();

  return {
    report(range: ActivityRange): Promise<ActivityReport> {
      const time = now();
      const cached = recent.get(range);
      if (cached && time.getTime() - cached.at < reuseForMs) return cached.report;
      const report = queryActivity(options.db, {
        range,
        now: time,
        cache,
        settleMs: options.settleMs,
      });
      recent.set(range, { at: time.getTime(), report });
      // A failed query is not reused.
      report.catch(() => {
        if (recent.get(range)?.report === report) recent.delete(range);
      });
      return report;
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
