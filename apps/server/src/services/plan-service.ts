import { randomUUID } from 'node:crypto';
import {
  findPlan,
  finishPlan,
  insertContinuation,
  insertPlan,
  listPlans,
  markPlanAttempt,
  type PlanCursor,
  type PlanWithInputRow,
  type QuotaReservation,
} from '@sluice/db';
import type {
  CreatePlanInput,
  PartialPlanDocument,
  PlanEventsInput,
  PlanPreferences,
  PlanSemanticEvent,
  PlanStatus,
  StreamError,
} from '@sluice/shared';
import type { GenerationResult } from '../generation/generation-engine';
import type { GenerationSlot } from '../generation/generation-slots';
import { type ObservedMessage, observeGeneration } from '../generation/observe-generation';
import { storedStreamError } from '../generation/stored-outcome';
import type { ProviderRequest } from '../providers/provider';
import { currentRequestId } from '../request-context';
import { ConflictError, InvalidInputError, NotFoundError, PersistenceError } from './errors';
import {
  failedBeforeFirstToken,
  type GenerationServiceDependencies,
  reserveGenerationSlot,
} from './generation-settings';
import { createPlanDocumentTracker, storedPlanStream } from './plan-document';
import { buildContinuationRequest, buildPlanRequest } from './plan-prompt';

export interface PlanUsage {
  inputTokens: number;
  outputTokens: number;
  cost: number | null;
}

/** What `plan.get` returns. Timestamps are ISO strings (no transformer on the wire). */
export interface PlanView {
  id: string;
  status: PlanStatus;
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
  status: PlanStatus;
  reason: string | null;
  title: string | null;
  goals: string;
  model: string;
  createdAt: string;
  completedAt: string | null;
}

export type PlanServiceDependencies = GenerationServiceDependencies<PlanSemanticEvent>;

export const planTopic = (planId: string) => `plan:${planId}`;

function encodeCursor(cursor: PlanCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

function decodeCursor(value: string): PlanCursor {
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
  return { inputTokens: row.input_tokens, outputTokens: row.output_tokens, cost: row.cost };
}

export function createPlanService(dependencies: PlanServiceDependencies) {
  const { db, engine, bus, config, slots, logger, resolveUpstream, quotas, startRate } =
    dependencies;
  const newId = dependencies.newId ?? randomUUID;
  const isOverloaded = dependencies.isOverloaded ?? (() => false);
  const now = dependencies.now ?? (() => new Date());

  /** The caller's plan; another user's plan is "not found", exactly like a missing one. */
  async function requirePlan(userId: string, planId: string): Promise<PlanWithInputRow> {
    const row = await findPlan(db, planId, userId);
    if (!row) throw new NotFoundError(`No plan with id ${planId}`);
    return row;
  }

  /** Starts the engine run, which owns `slot` from then on (released when it finishes). */
  function startGeneration(
    planId: string,
    slot: GenerationSlot,
    request: ProviderRequest,
    owner: { userId: string; reservations: readonly QuotaReservation[] },
    initialText?: string,
  ): void {
    // Every line about the generation names it, its owner and the request that started it.
    const generationLogger = logger.child({
      generationId: planId,
      planId,
      userId: owner.userId,
      requestId: currentRequestId(),
      model: request.model,
    });
    engine.start({
      id: planId,
      topic: planTopic(planId),
      request,
      initialText,
      slot,
      document: createPlanDocumentTracker(),
      logger: generationLogger,
      onAttempt(attempt) {
        markPlanAttempt(db, {
          id: planId,
          attempts: attempt,
          now: now(),
          started: attempt === 1,
        }).catch((error: unknown) =>
          generationLogger.error({ err: error }, 'could not record the attempt'),
        );
      },
      async onFinish(result: GenerationResult) {
        await finishPlan(db, {
          id: planId,
          status: result.status,
          reason: result.reason ?? null,
          text: result.text,
          planJson: result.documentJson,
          stats: {
            timeToFirstTokenMs: result.stats.timeToFirstTokenMs,
            durationMs: result.stats.durationMs,
          },
          error: result.error ?? null,
          usage: result.usage
            ? {
                inputTokens: result.usage.inputTokens,
                outputTokens: result.usage.outputTokens,
                cost: result.usage.cost ?? null,
              }
            : null,
          now: now(),
        });
        await quotas
          .settle(owner.userId, owner.reservations, {
            failedBeforeFirstToken: failedBeforeFirstToken(result),
            cost: result.usage?.cost ?? null,
          })
          .catch((error: unknown) =>
            generationLogger.error({ err: error }, 'could not settle the quota'),
          );
      },
    });
  }

  function toView(row: PlanWithInputRow): PlanView {
    const live = engine.get(row.id);
    const content = live ? live.log.content() : (row.content ?? row.partial_content);
    let plan: PartialPlanDocument | null = null;
    if (live) plan = (live.document?.snapshot() as PartialPlanDocument | undefined) ?? null;
    else if (row.plan_json) plan = JSON.parse(row.plan_json) as PartialPlanDocument;
    else if (content) plan = storedPlanStream(row).document as PartialPlanDocument;
    return {
      id: row.id,
      status: live ? 'generating' : (row.status as PlanStatus),
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

  async function persist(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      const refusal = quotas.refusalFor(error);
      if (refusal) throw refusal;
      logger.error({ err: error }, 'could not save the plan');
      throw new PersistenceError(
        'Could not save the plan, so nothing was sent to the model. Try again.',
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Counts the start against the user's rate, then runs `start` with a slot reserved before
   * its first `await`; `start` hands the slot to the engine as its last step. Any failure
   * before that gives the slot back.
   */
  async function withSlot<T>(
    userId: string,
    start: (slot: GenerationSlot) => Promise<T>,
  ): Promise<T> {
    await startRate.consume(userId);
    const slot = reserveGenerationSlot(slots, isOverloaded);
    try {
      return await start(slot);
    } catch (error) {
      slot.release();
      throw error;
    }
  }

  /** `userId`: who starts it; their provider key pays, else the app's or the environment's. */
  function create(userId: string, input: CreatePlanInput): Promise<{ planId: string }> {
    return withSlot(userId, async (slot) => {
      const planId = newId();
      const model = input.model ?? config.defaultModel;
      const upstream = await resolveUpstream(userId);
      const reservations = await quotas.reservationsFor(userId, 'plan');
      // Persist before spending: the rows exist before any upstream request.
      await persist(() =>
        insertPlan(db, {
          id: planId,
          userId,
          inputId: newId(),
          goals: input.goals,
          preferences: input.preferences ?? {},
          model,
          keySource: upstream.keySource,
          quotas: reservations,
          now: now(),
        }),
      );
      startGeneration(
        planId,
        slot,
        upstream.prepare(buildPlanRequest(input, { ...config, model })),
        { userId, reservations },
      );
      return { planId };
    });
  }

  /** A new plan that starts from a stopped plan's saved text and asks the model for the rest. */
  function continuePlan(
    userId: string,
    input: { planId: string; model?: string },
  ): Promise<{ planId: string }> {
    return withSlot(userId, (slot) => startContinuation(userId, input, slot));
  }

  async function startContinuation(
    userId: string,
    input: { planId: string; model?: string },
    slot: GenerationSlot,
  ): Promise<{ planId: string }> {
    const source = await requirePlan(userId, input.planId);
    if (engine.get(source.id) || source.status === 'generating') {
      throw new ConflictError(
        'This plan is still being written; wait for it to stop before continuing it',
      );
    }
    if (source.status === 'completed') {
      throw new InvalidInputError('This plan is complete; there is nothing to continue', 'planId');
    }
    const prefix = source.partial_content;
    if (prefix.trim() === '') {
      throw new InvalidInputError(
        'Nothing was written before this plan stopped; retry it instead',
        'planId',
      );
    }
    const planId = newId();
    const model = input.model ?? source.model;
    const upstream = await resolveUpstream(userId);
    const reservations = await quotas.reservationsFor(userId, 'plan');
    await persist(() =>
      insertContinuation(db, {
        id: planId,
        userId,
        source: { id: source.id, inputId: source.input_id },
        prefix,
        model,
        keySource: upstream.keySource,
        quotas: reservations,
        now: now(),
      }),
    );
    const planInput: CreatePlanInput = {
      goals: source.goals,
      preferences: JSON.parse(source.preferences) as PlanPreferences,
    };
    startGeneration(
      planId,
      slot,
      upstream.prepare(buildContinuationRequest(planInput, { ...config, model }, prefix)),
      { userId, reservations },
      prefix,
    );
    return { planId };
  }

  return {
    create,
    continue: continuePlan,

    async get(userId: string, planId: string): Promise<PlanView> {
      return toView(await requirePlan(userId, planId));
    },

    /** The caller's plans, newest first, a page at a time. */
    async list(userId: string, input: { cursor?: string | null; limit?: number } = {}) {
      const limit = input.limit ?? 20;
      const rows = await listPlans(db, {
        userId,
        limit: limit + 1,
        cursor: input.cursor ? decodeCursor(input.cursor) : null,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const items: PlanSummary[] = page.map((row) => {
        const live = engine.get(row.id);
        const document = live
          ? (live.document?.snapshot() as PartialPlanDocument | undefined)
          : row.plan_json
            ? (JSON.parse(row.plan_json) as PartialPlanDocument)
            : undefined;
        return {
          id: row.id,
          status: live ? 'generating' : (row.status as PlanStatus),
          reason: row.status_reason,
          title: document?.title ?? null,
          goals: row.goals,
          model: row.model,
          createdAt: row.created_at,
          completedAt: row.completed_at,
        };
      });
      return {
        items,
        nextCursor:
          rows.length > limit && last
            ? encodeCursor({ createdAt: last.created_at, id: last.id })
            : null,
      };
    },

    /**
     * Cancels a running generation. A plan that is not running is answered calmly with its
     * status and `cancelled: false` (nothing to cancel).
     */
    async cancel(
      userId: string,
      planId: string,
    ): Promise<{ status: PlanStatus; cancelled: boolean }> {
      const row = await requirePlan(userId, planId);
      const outcome = await engine.cancel(planId);
      if (!outcome) return { status: row.status as PlanStatus, cancelled: false };
      return { status: outcome.result.status, cancelled: outcome.cancelled };
    },

    /**
     * Resolves the plan (and that the caller owns it) first, so an unknown or foreign id fails
     * before streaming starts.
     */
    async events(
      userId: string,
      input: PlanEventsInput,
      signal: AbortSignal,
    ): Promise<AsyncGenerator<ObservedMessage<PlanSemanticEvent>>> {
      const existing = await requirePlan(userId, input.planId);
      return observeGeneration<PlanSemanticEvent>({
        bus,
        topic: planTopic(input.planId),
        live: () => engine.get(input.planId),
        loadStored: async () => storedPlanStream(await requirePlan(userId, existing.id)),
        lastEventId: input.lastEventId,
        signal,
      });
    },

    /** The non-streaming fallback: starts a plan and answers when it has finished. */
    async generate(userId: string, input: CreatePlanInput, signal: AbortSignal): Promise<PlanView> {
      const { planId } = await create(userId, input);
      const generation = engine.get(planId);
      if (generation) {
        const release = generation.attach();
        signal.addEventListener('abort', release, { once: true });
        try {
          await generation.done;
        } finally {
          signal.removeEventListener('abort', release);
          release();
        }
      }
      return toView(await requirePlan(userId, planId));
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
