import type { PlanView } from '@sluice/server';
import type { PlanStatus } from '@sluice/shared';
import { describeRequestError } from '../../lib/describe-request-error';
import { navigate, planPath } from '../../lib/router';
import { trpc } from '../../lib/trpc';

/** Stop while writing; Retry (a new plan with the same input) after a failure or a partial. */
export function PlanActions({
  planId,
  status,
  view,
}: {
  planId: string;
  status: PlanStatus | null;
  view: PlanView | undefined;
}) {
  const utils = trpc.useUtils();
  const cancel = trpc.plan.cancel.useMutation();
  const retry = trpc.plan.create.useMutation({
    onSuccess({ planId: newPlanId }) {
      void utils.plan.list.invalidate();
      navigate(planPath(newPlanId));
    },
  });
  const canRetry = status === 'failed' || status === 'partial';
  const error = cancel.error ?? retry.error;

  return (
    <div className="plan-actions">
      {status === 'generating' ? (
        <button
          type="button"
          className="button button-danger"
          aria-disabled={cancel.isPending}
          onClick={() => {
            if (!cancel.isPending) cancel.mutate({ planId });
          }}
        >
          Stop
        </button>
      ) : null}
      {canRetry ? (
        <button
          type="button"
          className="button button-primary"
          aria-disabled={!view || retry.isPending}
          onClick={() => {
            if (!view || retry.isPending) return;
            retry.mutate({ goals: view.goals, preferences: view.preferences, model: view.model });
          }}
        >
          Retry
        </button>
      ) : null}
      {cancel.isPending ? <span className="muted">Stopping…</span> : null}
      {retry.isPending ? <span className="muted">Starting a new plan…</span> : null}
      {error ? (
        <p className="form-error" role="alert">
          {describeRequestError(error)}
        </p>
      ) : null}
    </div>
  );
}
