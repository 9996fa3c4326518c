import { describeRequestError } from '../../lib/describe-request-error';
import { formatCost } from '../../lib/format';
import { trpc } from '../../lib/trpc';

/** One quota as `account.usage` answers it: `limit` null = unlimited; spend in USD. */
export interface QuotaUse {
  name: string;
  limit: number | null;
  used: number;
  resetsAt: string;
}

const labels: Record<string, string> = {
  'plans-per-month': 'Plans this month',
  'replies-per-day': 'Chat replies today',
  'usd-per-month': 'Model spend this month',
};

const resetDateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long' });
const resetTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  hour: '2-digit',
  minute: '2-digit',
});

/** "3 of 20 used", "$0.42 of $5.00 spent", "12 used (no limit)", and when it resets. */
export function describeQuotaUse(quota: QuotaUse): {
  label: string;
  usage: string;
  resets: string;
  exhausted: boolean;
} {
  const spend = quota.name === 'usd-per-month';
  const amount = (value: number) => (spend ? formatCost(value) : String(value));
  const verb = spend ? 'spent' : 'used';
  const resetsAt = new Date(quota.resetsAt);
  const daily = quota.name === 'replies-per-day';
  return {
    label: labels[quota.name] ?? quota.name,
    usage:
      quota.limit === null
        ? `${amount(quota.used)} ${verb} (no limit)`
        : `${amount(quota.used)} of ${amount(quota.limit)} ${verb}`,
    resets: daily
      ? `Resets ${resetTimeFormat.format(resetsAt)}`
      : `Resets on ${resetDateFormat.format(resetsAt)}`,
    exhausted: quota.limit !== null && quota.used >= quota.limit,
  };
}

/** The signed-in user's quotas: what is used, what is left, and when each resets. */
export function QuotaUsage() {
  const usage = trpc.account.usage.useQuery(undefined, { refetchOnWindowFocus: true });
  if (usage.isPending) return <p className="quota-usage-note">Loading your quotas…</p>;
  if (usage.isError) {
    return (
      <p className="quota-usage-note" role="alert">
        Quotas unavailable: {describeRequestError(usage.error)}
      </p>
    );
  }
  return (
    <section className="quota-usage" aria-labelledby="quota-usage-heading">
      <h2 id="quota-usage-heading">Quotas</h2>
      <ul className="quota-usage-list">
        {usage.data.quotas.map((quota) => {
          const described = describeQuotaUse(quota);
          return (
            <li
              key={quota.name}
              className="quota-usage-item"
              data-testid="quota-usage-item"
              data-quota={quota.name}
              data-exhausted={described.exhausted}
            >
              <span className="quota-usage-label">{described.label}</span>
              <span className="quota-usage-value">{described.usage}</span>
              {quota.limit !== null ? (
                <meter min={0} max={quota.limit} value={Math.min(quota.used, quota.limit)} />
              ) : null}
              <span className="quota-usage-reset">
                {described.exhausted ? 'None left. ' : ''}
                {described.resets}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
