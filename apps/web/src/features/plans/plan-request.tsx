import type { PlanView } from '@sluice/server';

/** What the person asked for: goals and preferences, collapsed. */
export function PlanRequest({ view }: { view: PlanView }) {
  const { hoursPerWeek, startDate, constraints } = view.preferences;
  return (
    <details className="plan-request">
      <summary>What you asked for</summary>
      <blockquote className="plan-goals">{view.goals}</blockquote>
      <dl className="plan-preferences">
        {hoursPerWeek !== undefined ? (
          <div>
            <dt>Hours per week</dt>
            <dd>{hoursPerWeek}</dd>
          </div>
        ) : null}
        {startDate ? (
          <div>
            <dt>Start date</dt>
            <dd>{startDate}</dd>
          </div>
        ) : null}
        {constraints ? (
          <div>
            <dt>Constraints</dt>
            <dd>{constraints}</dd>
          </div>
        ) : null}
        <div>
          <dt>Model</dt>
          <dd>
            <code>{view.model}</code>
          </dd>
        </div>
      </dl>
    </details>
  );
}
