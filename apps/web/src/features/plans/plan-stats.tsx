import { useEffect, useState } from 'react';
import { describeCost } from '../../lib/describe-cost';
import { formatElapsed, formatTokens } from '../../lib/format';
import type { PlanUsageView } from './plan-stream-store';

interface PlanStatsProps {
  generating: boolean;
  /** When writing started (server time, ISO), if known. */
  startedAt: string | null;
  completedAt: string | null;
  usage: PlanUsageView | null;
  characters: number;
  /** Ended by a stop (cancel, timeout, budget, error) rather than a normal finish. */
  stopped?: boolean;
  /** While streaming, before the server's figure: the cost of the text so far (≈). */
  runningCost?: number | null;
}

/** Re-renders every second while `ticking`. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

/** Elapsed time, size, and tokens and cost once the provider reported them. */
export function PlanStats({
  generating,
  startedAt,
  completedAt,
  usage,
  characters,
  stopped = false,
  runningCost = null,
}: PlanStatsProps) {
  const now = useNow(generating);
  const [endedAt, setEndedAt] = useState<number | null>(null);
  useEffect(() => {
    if (!generating) setEndedAt((previous) => previous ?? Date.now());
  }, [generating]);

  const start = startedAt ? Date.parse(startedAt) : Number.NaN;
  const end = completedAt ? Date.parse(completedAt) : generating ? now : (endedAt ?? now);
  const elapsed = Number.isNaN(start) ? null : formatElapsed(end - start);

  return (
    <dl className="plan-stats" data-testid="plan-stats">
      <div>
        <dt>Elapsed</dt>
        <dd>{elapsed ?? '—'}</dd>
      </div>
      <div>
        <dt>Written</dt>
        <dd>{characters.toLocaleString('en-US')} characters</dd>
      </div>
      {usage ? (
        <div>
          <dt>Tokens</dt>
          <dd>
            {formatTokens(usage.inputTokens)} in, {formatTokens(usage.outputTokens)} out
          </dd>
        </div>
      ) : null}
      {usage ? (
        <CostItem
          text={describeCost({
            cost: usage.cost,
            costSource: usage.costSource,
            generating,
            stopped,
          })}
        />
      ) : generating && runningCost !== null ? (
        <CostItem text={describeCost({ cost: runningCost, generating: true, stopped: false })} />
      ) : null}
    </dl>
  );
}

function CostItem({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <div>
      <dt>Cost</dt>
      <dd data-testid="plan-cost">{text}</dd>
    </div>
  );
}
