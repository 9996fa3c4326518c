import type { AppRouter } from '@sluice/server';
import type { inferRouterOutputs } from '@trpc/server';
import { useId, useMemo, useState } from 'react';
import { TimeChart, type TimeChartSeries } from '../../components/time-chart';
import { describeRequestError, errorCodeOf } from '../../lib/describe-request-error';
import { trpc } from '../../lib/trpc';
import { useDocumentTitle } from '../../lib/use-document-title';

type ActivityRange = '24h' | '7d' | '30d';
type ActivityReport = inferRouterOutputs<AppRouter>['admin']['activity'];

const ranges: ReadonlyArray<{ value: ActivityRange; label: string }> = [
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
];

/** What each end reason means, in plain words. */
const reasonLabels: Record<string, string> = {
  cancelled: 'Stopped by the user',
  abandoned: 'Abandoned (nobody watching)',
  timeout: 'Timed out (STREAMING_TIMEOUT)',
  'idle-timeout': 'Upstream went silent',
  length: 'Token budget reached',
  'server-restart': 'Instance lost (restart)',
  'no-finish-reason': 'Ended without a finish reason',
};

const percent = (value: number) => `${Math.round(value * 1000) / 10}%`;
const dollars = (value: number) =>
  value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
const seconds = (milliseconds: number | null) =>
  milliseconds === null
    ? '–'
    : milliseconds < 1000
      ? `${milliseconds} ms`
      : `${(milliseconds / 1000).toFixed(1)} s`;
const successRange: [number, number] = [0, 1];

function toUnixSeconds(isoPrefix: string): number {
  // `2026-12-04T10` (an hour) or `2026-12-04` (a day), UTC.
  const iso = isoPrefix.length === 13 ? `${isoPrefix}:00:00Z` : `${isoPrefix}T00:00:00Z`;
  return Date.parse(iso) / 1000;
}

function Summary({ report }: { report: ActivityReport }) {
  const { totals } = report;
  const finished = totals.completed + totals.failed + totals.cancelled + totals.partial;
  return (
    <dl className="activity-summary">
      <div>
        <dt>Generations</dt>
        <dd>{finished.toLocaleString()}</dd>
      </div>
      <div>
        <dt>Success rate</dt>
        <dd>{totals.successRate === null ? '–' : percent(totals.successRate)}</dd>
      </div>
      <div>
        <dt>Time to first token</dt>
        <dd>
          p50 {seconds(report.timeToFirstToken.p50)} · p95 {seconds(report.timeToFirstToken.p95)}
        </dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>
          p50 {seconds(report.duration.p50)} · p95 {seconds(report.duration.p95)}
        </dd>
      </div>
      <div>
        <dt>Cost</dt>
        <dd>{dollars(totals.cost)}</dd>
      </div>
      <div>
        <dt>Running now</dt>
        <dd>{totals.generating}</dd>
      </div>
    </dl>
  );
}

function Charts({ report }: { report: ActivityReport }) {
  const hourly = useMemo(() => {
    const x = report.hourly.map((hour) => toUnixSeconds(hour.hour));
    const series: TimeChartSeries[] = [
      {
        label: 'Success rate',
        values: report.hourly.map((hour) => hour.successRate),
        color: '#1d6b3a',
      },
    ];
    return { x, series };
  }, [report]);
  const daily = useMemo(() => {
    const x = report.costPerDay.map((day) => toUnixSeconds(day.day));
    const series: TimeChartSeries[] = [
      { label: 'Cost', values: report.costPerDay.map((day) => day.cost), color: '#1f4fa8' },
    ];
    return { x, series };
  }, [report]);
  return (
    <div className="activity-charts">
      <section className="settings-section">
        <h2>Streaming success rate per hour</h2>
        <p className="field-hint">
          Completed among the generations that ended, not counting those the user stopped.
        </p>
        <TimeChart
          label="Streaming success rate per hour"
          x={hourly.x}
          series={hourly.series}
          formatValue={percent}
          yRange={successRange}
        />
      </section>
      <section className="settings-section">
        <h2>Cost per day</h2>
        <TimeChart
          label="Cost per day"
          x={daily.x}
          series={daily.series}
          formatValue={dollars}
          bars
        />
      </section>
    </div>
  );
}

function Distribution({
  buckets,
}: {
  buckets: ActivityReport['cancellations'][number]['partialLength']['buckets'];
}) {
  const largest = Math.max(1, ...buckets.map((bucket) => bucket.count));
  let lower = 0;
  return (
    <ul className="distribution" aria-label="Partial lengths">
      {buckets.map((bucket) => {
        const label =
          bucket.below === null
            ? `${lower.toLocaleString()}+ characters`
            : bucket.below === 1
              ? 'empty'
              : `${lower.toLocaleString()}–${(bucket.below - 1).toLocaleString()} characters`;
        lower = bucket.below ?? lower;
        return (
          <li key={label} title={`${label}: ${bucket.count}`}>
            <span className="visually-hidden">
              {label}: {bucket.count}
            </span>
            <span
              className="distribution-bar"
              style={{ height: `${Math.round((bucket.count / largest) * 100)}%` }}
            />
          </li>
        );
      })}
    </ul>
  );
}

function Tables({ report }: { report: ActivityReport }) {
  return (
    <>
      <section className="settings-section">
        <h2>Cancellations and cut-short generations</h2>
        {report.cancellations.length === 0 ? (
          <p className="muted">None in this period.</p>
        ) : (
          <table className="activity-table">
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Count</th>
                <th scope="col">Partial length p50</th>
                <th scope="col">p95</th>
                <th scope="col">Distribution</th>
              </tr>
            </thead>
            <tbody>
              {report.cancellations.map((row) => (
                <tr key={row.reason}>
                  <th scope="row">{reasonLabels[row.reason] ?? row.reason}</th>
                  <td>{row.count}</td>
                  <td>{row.partialLength.p50 ?? '–'}</td>
                  <td>{row.partialLength.p95 ?? '–'}</td>
                  <td>
                    <Distribution buckets={row.partialLength.buckets} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="settings-section">
        <h2>Errors by code</h2>
        {report.errors.length === 0 ? (
          <p className="muted">No failed generations in this period.</p>
        ) : (
          <table className="activity-table">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Count</th>
              </tr>
            </thead>
            <tbody>
              {report.errors.map((row) => (
                <tr key={row.code}>
                  <th scope="row">
                    <code>{row.code}</code>
                  </th>
                  <td>{row.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="settings-section">
        <h2>Top models</h2>
        <table className="activity-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Generations</th>
              <th scope="col">Completed</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {report.models.map((row) => (
              <tr key={row.model}>
                <th scope="row">{row.model}</th>
                <td>{row.generations}</td>
                <td>{row.completed}</td>
                <td>{dollars(row.cost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="settings-section">
        <h2>Cost per user</h2>
        <table className="activity-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Generations</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {report.users.map((row) => (
              <tr key={row.userId ?? 'none'}>
                <th scope="row">
                  {row.name ?? 'Deleted user'}{' '}
                  {row.email ? <span className="muted">{row.email}</span> : null}
                </th>
                <td>{row.generations}</td>
                <td>{dollars(row.cost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

/** `/admin/activity`: what the app did, from the stored plans and replies (admin only). */
export function ActivityPage() {
  useDocumentTitle('Activity');
  const id = useId();
  const [range, setRange] = useState<ActivityRange>('24h');
  const me = trpc.account.me.useQuery(undefined, { staleTime: 60_000 });
  const isAdmin = me.data?.role === 'admin';
  const activity = trpc.admin.activity.useQuery(
    { range },
    { enabled: isAdmin, placeholderData: (previous) => previous },
  );
  if (me.data && !isAdmin) {
    return (
      <div className="settings-page">
        <h1>Activity</h1>
        <p role="alert">Only the admin can see the activity.</p>
      </div>
    );
  }
  const failure =
    activity.error ?? (me.error && errorCodeOf(me.error) !== 'UNAUTHORIZED' ? me.error : null);
  const report = activity.data;
  return (
    <div className="activity-page">
      <h1>Activity</h1>
      <fieldset className="range-picker">
        <legend className="visually-hidden">Period</legend>
        {ranges.map((option) => (
          <label key={option.value} className="range-option">
            <input
              type="radio"
              name={`${id}-range`}
              value={option.value}
              checked={range === option.value}
              onChange={() => setRange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </fieldset>
      <p className="form-progress" role="status">
        {activity.isFetching ? 'Loading…' : ''}
      </p>
      {failure ? (
        <p className="form-error" role="alert">
          {describeRequestError(failure)}
        </p>
      ) : null}
      {report ? (
        <>
          <Summary report={report} />
          <Charts report={report} />
          <Tables report={report} />
        </>
      ) : null}
    </div>
  );
}

export default ActivityPage;
