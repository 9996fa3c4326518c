import { useEffect, useRef } from 'react';
import { ConnectionStatus } from '../../components/connection-status';
import { JumpToLatestButton } from '../../components/jump-to-latest-button';
import { StatusBadge } from '../../components/status-badge';
import { describeRequestError, isNotFoundError } from '../../lib/describe-request-error';
import { priceOfModel, runningCostOf, useModelPrices } from '../../lib/model-prices';
import { Link, planPath } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useFollowLatest } from '../../lib/use-follow-latest';
import { describePlanError } from './describe-plan-error';
import { PlanActions } from './plan-actions';
import { PlanAnnouncer } from './plan-announcer';
import { PlanNotFound } from './plan-not-found';
import { PlanRequest } from './plan-request';
import { PlanStats } from './plan-stats';
import { usePlanStream } from './plan-stream';
import type { PlanStreamSnapshot } from './plan-stream-store';
import { WeekCard } from './week-card';

function writingPhase(stream: PlanStreamSnapshot): string {
  if (stream.summary === undefined) return 'Writing…';
  if (!stream.summaryComplete) return 'Writing the summary…';
  const current = stream.weeks.at(-1);
  if (!current || current.complete) return 'Writing…';
  return `Writing week ${current.week ?? current.index + 1}…`;
}

/** A plan that stopped before its title: named after the goals. */
function untitledHeading(goals: string | undefined): string {
  if (!goals) return 'Untitled plan';
  const line = goals.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

export function PlanPage({ planId }: { planId: string }) {
  const stream = usePlanStream(planId);
  const view = trpc.plan.get.useQuery(
    { planId },
    {
      // After a stop, OpenRouter's bill arrives a few seconds later: look again until it has
      // replaced the estimate (the server gives up after about a minute).
      refetchInterval: (query) =>
        query.state.data?.status !== 'generating' &&
        query.state.data?.usage?.costSource === 'estimated' &&
        query.state.dataUpdateCount < 40
          ? 2_000
          : false,
    },
  );
  const utils = trpc.useUtils();
  const headingRef = useRef<HTMLHeadingElement>(null);

  const status = stream.status ?? view.data?.status ?? null;
  const prices = useModelPrices();
  const generating = status === 'generating';
  const notFound = stream.notFound || isNotFoundError(view.error);
  const { following, jumpToLatest } = useFollowLatest(generating, stream);

  // The heading is where a screen reader (and the keyboard) starts on this page.
  // Once per plan, and again when it turns out not to exist.
  useEffect(() => {
    const heading = headingRef.current ?? document.querySelector<HTMLElement>('main h1');
    heading?.focus({ preventScroll: true });
  }, [planId, notFound]);

  // When writing ends, fetch the final figures (completion time, usage) and list status.
  const previousStatus = useRef(status);
  useEffect(() => {
    const before = previousStatus.current;
    previousStatus.current = status;
    if (before === 'generating' && status !== 'generating') {
      void utils.plan.get.invalidate({ planId });
      void utils.plan.list.invalidate();
      // Stop was focused and is gone now: keep the keyboard on the page, at its top.
      if (document.activeElement === document.body || document.activeElement === null) {
        headingRef.current?.focus({ preventScroll: true });
      }
    }
  }, [status, planId, utils]);

  // The details failed to load (server unreachable): try again once it is back.
  const refetchView = view.refetch;
  const viewFailed = view.isError && !notFound;
  useEffect(() => {
    if (viewFailed && (stream.connection === 'live' || stream.connection === 'polling')) {
      void refetchView();
    }
  }, [viewFailed, stream.connection, refetchView]);

  const outcome = stream.outcome;
  const problem = describePlanError({
    status,
    reason: outcome?.reason ?? view.data?.reason ?? null,
    error: outcome?.error ?? view.data?.error ?? null,
  });
  const isProblem = status === 'failed' || status === 'partial';
  const title = stream.title
    ? stream.titleComplete || generating
      ? stream.title
      : `${stream.title}…`
    : status === null || generating
      ? 'Writing your plan…'
      : untitledHeading(view.data?.goals);
  const completedWeeks = stream.weeks.filter((week) => week.complete);
  useDocumentTitle(notFound ? 'No plan with this id' : title);
  const lastCompleted = completedWeeks.at(-1);
  const summaryGrowing = generating && !stream.summaryComplete;

  if (notFound) return <PlanNotFound />;

  return (
    <article className="plan-page" aria-labelledby="plan-title">
      <p className="back-link">
        <Link to="/">← All plans</Link>
      </p>
      <header className="plan-header">
        <h1 id="plan-title" ref={headingRef} tabIndex={-1}>
          {title}
        </h1>
        {view.data?.continuedFrom ? (
          <p className="muted" data-testid="continued-from">
            Continues <Link to={planPath(view.data.continuedFrom)}>an earlier plan</Link> from where
            it stopped.
          </p>
        ) : null}
        <PlanStats
          generating={generating}
          startedAt={view.data?.generationStartedAt ?? view.data?.createdAt ?? null}
          completedAt={generating ? null : (view.data?.completedAt ?? null)}
          usage={
            // Once ended, the saved figures are the latest (a bill replaces the estimate).
            generating
              ? (stream.usage ?? null)
              : ((view.data?.usage?.costSource === 'billed' ? view.data.usage : null) ??
                stream.usage ??
                view.data?.usage ??
                null)
          }
          characters={stream.content.length}
          stopped={status === 'cancelled' || status === 'partial' || status === 'failed'}
          runningCost={runningCostOf(priceOfModel(prices, view.data?.model), stream.content)}
        />
      </header>
      {/* Stays in view while the page follows the text down. */}
      <div className="plan-toolbar">
        <div className="plan-status-row">
          {status ? (
            <StatusBadge status={status} testId="plan-status" />
          ) : (
            <span className="status-badge status-loading">Loading…</span>
          )}
          {generating ? (
            <p className="writing-indicator" data-testid="writing-indicator">
              {writingPhase(stream)}
              <span className="cursor" aria-hidden="true" />
            </p>
          ) : null}
        </div>
        <ConnectionStatus
          mode={stream.connection}
          everLive={stream.everLive}
          streaming={generating}
          idleLabel="Up to date"
        />
        <PlanActions planId={planId} status={status} view={view.data} />
      </div>

      {problem && isProblem ? (
        <p className="plan-problem" role="alert">
          {problem}
        </p>
      ) : null}
      {problem && status === 'cancelled' ? <p className="plan-note">{problem}</p> : null}
      {view.isError && !notFound ? (
        <p className="plan-note">Details unavailable: {describeRequestError(view.error)}</p>
      ) : null}

      {view.data ? <PlanRequest view={view.data} /> : null}

      <section className="plan-summary-section" aria-labelledby="summary-heading">
        <h2 id="summary-heading">This month</h2>
        <p
          className={
            generating
              ? `plan-summary plan-summary-growing${stream.summary ? '' : ' plan-summary-empty'}`
              : 'plan-summary'
          }
          data-testid="plan-summary"
        >
          {stream.summary}
          {summaryGrowing ? <span className="cursor" aria-hidden="true" /> : null}
        </p>
        {!stream.summary && status !== null && !generating ? (
          <p className="muted">No summary was written.</p>
        ) : null}
      </section>

      <section className="plan-weeks" aria-labelledby="weeks-heading">
        <h2 id="weeks-heading">Week by week</h2>
        {stream.weeks.length === 0 ? (
          <p className="muted">
            {generating ? 'The weeks appear here as they are written.' : 'No weeks were written.'}
          </p>
        ) : null}
        <div className="week-grid">
          {stream.weeks.map((week, index) => (
            <WeekCard
              key={week.index}
              week={week}
              writing={generating && index === stream.weeks.length - 1 && !week.complete}
            />
          ))}
        </div>
      </section>

      <details className="plan-raw">
        <summary>Raw JSON</summary>
        <pre data-testid="plan-raw">{stream.content}</pre>
      </details>

      {generating && !following ? <JumpToLatestButton onClick={jumpToLatest} /> : null}

      <PlanAnnouncer
        status={status}
        completedWeeks={completedWeeks.length}
        lastWeekNumber={lastCompleted ? (lastCompleted.week ?? lastCompleted.index + 1) : null}
        connection={stream.connection}
      />
    </article>
  );
}
