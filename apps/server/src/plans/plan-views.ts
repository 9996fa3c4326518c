import type { PlanCursor, PlanWithInputRow } from '@sluice/db';
import type {
  CostSource,
  GenerationStatus,
  PartialPlanDocument,
  PlanPreferences,
  PlanSemanticEvent,
  StreamError,
} from '@sluice/shared';
import { InvalidInputError } from '../errors';
import type { LiveGeneration } from '../generation/generation-engine';
import { storedStreamError } from '../generation/generation-outcome';
import { storedPlanStream } from './plan-document';

export interface PlanUsage {
  inputTokens: number;
  outputTokens: number;
  cost: number | null;
  /** `billed`, `computed` or `estimated`; null when no cost is known. */
  costSource: CostSource | null;
}

/** What `plan.get` returns. Timestamps are ISO strings (no transformer on the wire). */
export interface PlanView {
  id: string;
  status: GenerationStatus;
  /** Why it stopped, when the status alone does not say. */
  reason: string | null;
  content: string;
  plan: PartialPlanDocument | null;
  error: StreamError | null;
  usage: PlanUsage | null;
  model: string;
  goals: string;
  preferences: PlanPreferences;
  attempts: number;
  /** The plan whose text this one continues. */
  continuedFrom: string | null;
  createdAt: string;
  updatedAt: string;
  generationStartedAt: string | null;
  completedAt: string | null;
}

export interface PlanSummary {
  id: string;
  status: GenerationStatus;
  reason: string | null;
  title: string | null;
  goals: string;
  model: string;
  createdAt: string;
  completedAt: string | null;
}

type LivePlan = LiveGeneration<PlanSemanticEvent> | undefined;

export function encodeCursor(cursor: PlanCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): PlanCursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string'
    ) {
      return { createdAt: decoded[0], id: decoded[1] };
    }
  } catch {
    // Reported below.
  }
  throw new InvalidInputError('This cursor is not one plan.list returned', 'cursor');
}

function usageOf(row: PlanWithInputRow): PlanUsage | null {
  if (row.input_tokens === null || row.output_tokens === null) return null;
  return {
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cost: row.cost,
    costSource: row.cost_source,
  };
}

/** The plan as `plan.get` shows it: from the running generation when there is one here. */
export function planView(row: PlanWithInputRow, live: LivePlan): PlanView {
  const content = live ? live.log.content() : (row.content ?? row.partial_content);
  let plan: PartialPlanDocument | null = null;
  if (live) plan = (live.document?.snapshot() as PartialPlanDocument | undefined) ?? null;
  else if (row.plan_json) plan = JSON.parse(row.plan_json) as PartialPlanDocument;
  else if (content) plan = storedPlanStream(row).document as PartialPlanDocument;
  return {
    id: row.id,
    status: live ? 'generating' : (row.status as GenerationStatus),
    reason: row.status_reason,
    content,
    plan,
    error: storedStreamError(row) ?? null,
    usage: usageOf(row),
    model: row.model,
    goals: row.goals,
    preferences: JSON.parse(row.preferences) as PlanPreferences,
    attempts: row.attempts,
    continuedFrom: row.continued_from,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    generationStartedAt: row.generation_started_at,
    completedAt: row.completed_at,
  };
}

/** One line of `plan.list`. */
export function planSummary(row: PlanWithInputRow, live: LivePlan): PlanSummary {
  const document = live
    ? (live.document?.snapshot() as PartialPlanDocument | undefined)
    : row.plan_json
      ? (JSON.parse(row.plan_json) as PartialPlanDocument)
      : undefined;
  return {
    id: row.id,
    status: live ? 'generating' : (row.status as GenerationStatus),
    reason: row.status_reason,
    title: document?.title ?? null,
    goals: row.goals,
    model: row.model,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
