import type { PlanView } from '@sluice/server';
import type { GenerationStatus } from '@sluice/shared';
import { describeRequestError } from '../../lib/describe-request-error';
import { navigate, planPath } from '../../lib/router';
import { trpc } from '../../lib/trpc';

/** Reasons after which the saved text is a broken-off plan that the model can finish. */
const continuableReasons = new Set([
  'cancelled',
  'abandoned',
  'timeout',
  'idle-timeout',
  'length',
  'no-finish-reason',
  'upstream-error',
  'server-restart',
  'instance-lost',
  'budget',
]);

/**
 * Whether Continue makes sense: the plan stopped part-way (not complete, not rejected as
 * invalid output) and something was written to continue from.
 */
export function canContinue(
  status: GenerationStatus | null,
  view: Pick<PlanView, 'content' | 'reason'> | undefined,
): boolean {
  if (status !== 'failed' && status !== 'partial' && status !== 'cancelled') return false;
  if (!view || view.content.trim() === '') return false;
  return view.reason === null || continuableReasons.has(view.reason);
}

/**
 * Stop while writing; Retry (a new plan with the same input) after a failure or a partial;
 * Continue (a new plan that finishes this one's text) where that makes sense.
 */
export function PlanActions({
  planId,
  status,
  view,
}: {
  planId: string;
  status: GenerationStatus | null;
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
  const resume = trpc.plan.continue.useMutation({
    onSuccess({ planId: newPlanId }) {
      void utils.plan.list.invalidate();
      navigate(planPath(newPlanId));
    },
  });
  const canRetry = status === 'failed' || status === 'partial';
  const showContinue = canContinue(status, view);
  const error = cancel.error ?? retry.error ?? resume.error;

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
      {showContinue ? (
        <button
          type="button"
          className="button"
          aria-disabled={resume.isPending}
          onClick={() => {
            if (!resume.isPending) resume.mutate({ planId });
          }}
        >
          Continue
        </button>
      ) : null}
      {cancel.isPending ? <span className="muted">Stopping…</span> : null}
      {resume.isPending ? <span className="muted">Continuing…</span> : null}
      {retry.isPending ? <span className="muted">Starting a new plan…</span> : null}
      {error ? (
        <p className="form-error" role="alert">
          {describeRequestError(error)}
        </p>
      ) : null}
    </div>
  );
}
