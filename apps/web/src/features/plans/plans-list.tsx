import type { PlanSummary } from '@sluice/server';
import { StatusBadge } from '../../components/status-badge';
import { describeRequestError } from '../../lib/describe-request-error';
import { formatRelativeTime } from '../../lib/format';
import { Link, planPath } from '../../lib/router';
import { trpc } from '../../lib/trpc';

const pageSize = 20;
/** While any plan is being written, its status is refreshed this often. */
const livePollMs = 2_000;

function PlanListItem({ plan }: { plan: PlanSummary }) {
  const label = plan.title ?? plan.goals;
  return (
    <li className="plan-list-item" data-testid="plan-list-item" data-status={plan.status}>
      <Link to={planPath(plan.id)} className="plan-list-link">
        <span className="plan-list-title">{label}</span>
      </Link>
      <span className="plan-list-meta">
        <StatusBadge status={plan.status} />
        <time dateTime={plan.createdAt}>{formatRelativeTime(plan.createdAt)}</time>
        <span className="plan-list-model">{plan.model}</span>
      </span>
    </li>
  );
}

/** The newest plans first, with their live status. */
export function PlansList() {
  const plans = trpc.plan.list.useInfiniteQuery(
    { limit: pageSize },
    {
      getNextPageParam: (page) => page.nextCursor,
      refetchOnWindowFocus: true,
      refetchInterval: (query) =>
        query.state.data?.pages.some((page) =>
          page.items.some((item) => item.status === 'generating'),
        )
          ? livePollMs
          : false,
    },
  );
  const items = plans.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="plans-list" aria-labelledby="plans-list-heading">
      <h2 id="plans-list-heading">Your plans</h2>
      {plans.isPending ? <p className="muted">Loading your plans…</p> : null}
      {plans.isError && items.length === 0 ? (
        <p className="form-error" role="alert">
          {describeRequestError(plans.error)}{' '}
          <button type="button" className="button button-small" onClick={() => plans.refetch()}>
            Try again
          </button>
        </p>
      ) : null}
      {plans.isSuccess && items.length === 0 ? (
        <p className="muted">
          No plans yet. Write your goals above and the first one appears here.
        </p>
      ) : null}
      {items.length > 0 ? (
        <ul className="plan-list">
          {items.map((plan) => (
            <PlanListItem key={plan.id} plan={plan} />
          ))}
        </ul>
      ) : null}
      {plans.hasNextPage ? (
        <button
          type="button"
          className="button"
          aria-disabled={plans.isFetchingNextPage}
          onClick={() => {
            if (!plans.isFetchingNextPage) void plans.fetchNextPage();
          }}
        >
          {plans.isFetchingNextPage ? 'Loading…' : 'Show older plans'}
        </button>
      ) : null}
    </section>
  );
}
