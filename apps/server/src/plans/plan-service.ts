import { randomUUID } from 'node:crypto';
import {
  findPlan,
  insertContinuation,
  insertPlan,
  listPlans,
  type PlanWithInputRow,
  type SluiceDatabase,
} from '@sluice/db';
import type {
  CreatePlanInput,
  GenerationStatus,
  PlanEventsInput,
  PlanPreferences,
  PlanSemanticEvent,
} from '@sluice/shared';
import type { Logger } from 'pino';
import { ConflictError, InvalidInputError, NotFoundError, PersistenceError } from '../errors';
import type { EventBus } from '../generation/event-bus';
import type { GenerationCluster } from '../generation/generation-cluster';
import type { GenerationEngine, GenerationMessage } from '../generation/generation-engine';
import type { GenerationSlot } from '../generation/generation-slots';
import type {
  GenerationOwner,
  GenerationSettings,
  GenerationStarter,
} from '../generation/generation-starter';
import type { GenerationStore } from '../generation/generation-store';
import { type ObservedMessage, observeGeneration } from '../generation/observe-generation';
import type { PushStream } from '../generation/push-stream';
import type { ResolveUpstream } from '../provider-keys/generation-upstream';
import type { ProviderRequest } from '../providers/provider';
import type { QuotaService } from '../quotas/quota-service';
import { currentRequestId } from '../request-context';
import { createPlanDocumentTracker } from './plan-document';
import { buildContinuationRequest, buildPlanRequest } from './plan-prompt';
import {
  decodeCursor,
  encodeCursor,
  type PlanSummary,
  type PlanView,
  planSummary,
  planView,
} from './plan-views';

export type { PlanSummary, PlanUsage, PlanView } from './plan-views';

export interface PlanServiceDependencies {
  db: SluiceDatabase;
  engine: GenerationEngine<PlanSemanticEvent>;
  bus: EventBus<GenerationMessage<PlanSemanticEvent>>;
  /** Where plans' generations are saved (the engine writes through it; events read it back). */
  store: GenerationStore<PlanSemanticEvent>;
  /** Rate and capacity checks, quota settlement, waiting for a generation. */
  starter: GenerationStarter<PlanSemanticEvent>;
  /** Several instances: plans running on another instance are followed from their history. */
  cluster?: GenerationCluster<PlanSemanticEvent>;
  config: GenerationSettings;
  logger: Logger;
  /** Which key (and so which upstream) pays for a generation started by a user. */
  resolveUpstream: ResolveUpstream;
  /** Per-user quotas, taken in the transaction that writes the plan. */
  quotas: QuotaService;
  newId?: () => string;
  now?: () => Date;
}

export const planTopic = (planId: string) => `plan:${planId}`;

export function createPlanService(dependencies: PlanServiceDependencies) {
  const { db, engine, bus, store, starter, config, logger, resolveUpstream, quotas } = dependencies;
  const newId = dependencies.newId ?? randomUUID;
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
    owner: GenerationOwner,
    initialText?: string,
  ): void {
    starter.start({
      id: planId,
      topic: planTopic(planId),
      request,
      initialText,
      slot,
      document: createPlanDocumentTracker(),
      // Every line about the generation names it, its owner and the request that started it.
      logger: logger.child({
        generationId: planId,
        planId,
        userId: owner.userId,
        requestId: currentRequestId(),
        model: request.model,
      }),
      owner,
    });
  }

  function toView(row: PlanWithInputRow): PlanView {
    return planView(row, engine.get(row.id));
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

  /** `userId`: who starts it; their provider key pays, else the app's or the environment's. */
  function create(userId: string, input: CreatePlanInput): Promise<{ planId: string }> {
    return starter.withSlot(userId, async (slot) => {
      const planId = newId();
      const model = input.model ?? config.defaultModel;
      const upstream = await resolveUpstream(userId, model);
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
        { userId, reservations, remainingSpendUsd: await quotas.remainingSpend(userId) },
      );
      return { planId };
    });
  }

  /** A new plan that starts from a stopped plan's saved text and asks the model for the rest. */
  function continuePlan(
    userId: string,
    input: { planId: string; model?: string },
  ): Promise<{ planId: string }> {
    return starter.withSlot(userId, (slot) => startContinuation(userId, input, slot));
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
    const upstream = await resolveUpstream(userId, model);
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
      { userId, reservations, remainingSpendUsd: await quotas.remainingSpend(userId) },
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
      const items: PlanSummary[] = page.map((row) => planSummary(row, engine.get(row.id)));
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
    ): Promise<{ status: GenerationStatus; cancelled: boolean }> {
      const row = await requirePlan(userId, planId);
      const outcome = await engine.cancel(planId);
      if (!outcome) return { status: row.status as GenerationStatus, cancelled: false };
      return { status: outcome.status, cancelled: outcome.cancelled };
    },

    /**
     * Resolves the plan (and that the caller owns it) first, so an unknown or foreign id fails
     * before streaming starts.
     */
    async events(
      userId: string,
      input: PlanEventsInput,
      signal: AbortSignal,
    ): Promise<PushStream<ObservedMessage<PlanSemanticEvent>>> {
      const existing = await requirePlan(userId, input.planId);
      return observeGeneration<PlanSemanticEvent>({
        bus,
        topic: planTopic(existing.id),
        generationId: existing.id,
        live: () => engine.get(existing.id),
        cluster: dependencies.cluster,
        documentOfContent: (content) => {
          const tracker = createPlanDocumentTracker();
          tracker.feed(content);
          return tracker.snapshot();
        },
        async loadStored() {
          const stored = await store.loadStored(existing.id);
          if (!stored) throw new NotFoundError(`No plan with id ${existing.id}`);
          return stored;
        },
        lastEventId: input.lastEventId,
        signal,
      });
    },

    /** The non-streaming fallback: starts a plan and answers when it has finished. */
    async generate(userId: string, input: CreatePlanInput, signal: AbortSignal): Promise<PlanView> {
      const { planId } = await create(userId, input);
      await starter.awaitFinished(planId, planTopic(planId), signal);
      return toView(await requirePlan(userId, planId));
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
