import type { QuotaName } from '@sluice/db';

/** The period a quota counts in at `date` (UTC), and when the next one starts. */
export function quotaPeriod(quota: QuotaName, date: Date): { period: string; resetsAt: Date } {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const monthText = `${year}-${String(month + 1).padStart(2, '0')}`;
  if (quota === 'replies-per-day') {
    const day = date.getUTCDate();
    return {
      period: `${monthText}-${String(day).padStart(2, '0')}`,
      resetsAt: new Date(Date.UTC(year, month, day + 1)),
    };
  }
  return { period: monthText, resetsAt: new Date(Date.UTC(year, month + 1, 1)) };
}

/** The start of the period after `period` (`2026-12` → 2027-01-01, `2026-12-31` → 2027-01-01). */
export function periodResetsAt(period: string): Date {
  const [year = 0, month = 1, day] = period.split('-').map(Number);
  return day === undefined
    ? new Date(Date.UTC(year, month, 1))
    : new Date(Date.UTC(year, month - 1, day + 1));
}
