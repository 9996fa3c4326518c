import {
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
}

/** The admin's activity page, aggregated from the stored plans and replies. */
export function createActivityService(options: ActivityServiceOptions) {
  const now = options.now ?? (() => new Date());
  const reuseForMs = options.reuseForMs ?? 15_000;
  /** Per range: the report being made or made last, and when it was asked for. */
  const recent = new Map<ActivityRange, { at: number; report: Promise<ActivityReport> }>();

  return {
    report(range: ActivityRange): Promise<ActivityReport> {
      const time = now();
      const cached = recent.get(range);
      if (cached && time.getTime() - cached.at < reuseForMs) return cached.report;
      const report = queryActivity(options.db, { range, now: time });
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
