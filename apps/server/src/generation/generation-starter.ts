import type { QuotaReservation } from '@sluice/db';
import { TooManyRequestsError } from '../errors';
import type { GenerationRateLimit } from '../quotas/generation-rate-limit';
import type { QuotaService } from '../quotas/quota-service';
import type { EventBus } from './event-bus';
import type { GenerationCluster } from './generation-cluster';
import type { GenerationEngine, GenerationMessage, GenerationSpec } from './generation-engine';
import { failedBeforeFirstToken, type GenerationResult } from './generation-outcome';
import type { GenerationSlot, GenerationSlots } from './generation-slots';

/** What plan and chat services need to know to start generations. */
export interface GenerationSettings {
  defaultModel: string;
  fallbackModels: readonly string[];
  temperature: number;
  maxTokens: number;
}

/**
 * Takes a place for a new generation, synchronously (call it before the first `await`):
 * refused while the event loop lags, or when MAX_ACTIVE_GENERATIONS are running. The
 * caller hands the slot to the engine when it starts the generation, and releases it when
 * anything fails before that.
 */
export function reserveGenerationSlot(
  slots: GenerationSlots,
  isOverloaded: () => boolean,
): GenerationSlot {
  if (isOverloaded()) {
    throw new TooManyRequestsError('The server is overloaded right now; try again in a moment');
  }
  const slot = slots.tryReserve();
  if (!slot) {
    throw new TooManyRequestsError(
      `The server is already running ${slots.limit} generations (MAX_ACTIVE_GENERATIONS); try again in a moment`,
    );
  }
  return slot;
}

export interface GenerationStarterDependencies<TSemantic extends { type: string }> {
  engine: GenerationEngine<TSemantic>;
  /** Where the generation's events travel (a generation running elsewhere ends there). */
  bus?: EventBus<GenerationMessage<TSemantic>>;
  cluster?: GenerationCluster<TSemantic>;
  /** The cap on running generations, one for every feature that starts them. */
  slots: GenerationSlots;
  /** Per-user quotas: reserved by the feature when it writes the row, settled here at the end. */
  quotas: QuotaService;
  /** Per-user start rate, checked before the slot and the quota. */
  startRate: GenerationRateLimit;
  /** True while the server is too busy to start another generation. */
  isOverloaded?: () => boolean;
  /** MAX_COST_PER_GENERATION_USD: the ceiling on one generation's cost, if any. */
  maxCostPerGenerationUsd?: number;
}

/** Who started a generation, and the quota units its row took. */
export interface GenerationOwner {
  userId: string;
  reservations: readonly QuotaReservation[];
  /** What the user may still spend on models this month, USD; undefined: unlimited. */
  remainingSpendUsd?: number;
}

/** The lowest of the ceilings that apply (undefined ones do not), or undefined when none does. */
export function lowestCeiling(...ceilings: Array<number | null | undefined>): number | undefined {
  const set = ceilings.filter((ceiling): ceiling is number => typeof ceiling === 'number');
  return set.length === 0 ? undefined : Math.min(...set);
}

/**
 * The engine work every feature that starts generations shares: the rate and capacity
 * checks, settling the quota when a generation ends, and waiting for one to finish.
 */
export function createGenerationStarter<TSemantic extends { type: string }>(
  dependencies: GenerationStarterDependencies<TSemantic>,
) {
  const { engine, slots, quotas, startRate, cluster } = dependencies;
  const isOverloaded = dependencies.isOverloaded ?? (() => false);

  return {
    /**
     * Counts the start against the user's rate, then runs `start` with a slot reserved before
     * its first `await`; `start` hands the slot to the engine (see `start` below) as its last
     * step, or releases it itself when it starts nothing. Any failure gives the slot back.
     */
    async withSlot<T>(userId: string, start: (slot: GenerationSlot) => Promise<T>): Promise<T> {
      await startRate.consume(userId);
      const slot = reserveGenerationSlot(slots, isOverloaded);
      try {
        return await start(slot);
      } catch (error) {
        slot.release();
        throw error;
      }
    },

    /** Starts the engine run, which owns `spec.slot` from then on; the quota is settled at its end. */
    start(
      spec: Omit<GenerationSpec<TSemantic>, 'afterFinish' | 'afterBilled'> & {
        owner: GenerationOwner;
      },
    ) {
      const { owner, ...rest } = spec;
      return engine.start({
        ...rest,
        // The lowest of: the server's ceiling, the session's own, what is left of the month's budget.
        costCeilingUsd: lowestCeiling(
          dependencies.maxCostPerGenerationUsd,
          rest.costCeilingUsd,
          owner.remainingSpendUsd,
        ),
        async afterBilled({ previousCost, billed }) {
          await quotas.adjustSpend(owner.userId, billed.cost - (previousCost ?? 0));
        },
        async afterFinish(result: GenerationResult) {
          await quotas
            .settle(owner.userId, owner.reservations, {
              failedBeforeFirstToken: failedBeforeFirstToken(result),
              cost: result.usage?.cost ?? null,
            })
            .catch((error: unknown) =>
              spec.logger.error({ err: error }, 'could not settle the quota'),
            );
        },
      });
    },

    /**
     * Waits for a running generation to finish (the non-streaming path), watching it meanwhile;
     * also one that runs on another instance (its `end` arrives on `topic`).
     */
    async awaitFinished(id: string, topic: string, signal: AbortSignal): Promise<void> {
      const generation = engine.get(id);
      if (!generation) {
        if (cluster && dependencies.bus) {
          await awaitEndElsewhere(id, topic, cluster, dependencies.bus, signal);
        }
        return;
      }
      const release = generation.attach();
      signal.addEventListener('abort', release, { once: true });
      try {
        await generation.done;
      } finally {
        signal.removeEventListener('abort', release);
        release();
      }
    },
  };
}

export type GenerationStarter<TSemantic extends { type: string }> = ReturnType<
  typeof createGenerationStarter<TSemantic>
>;

/** Resolves once a generation running on another instance has ended (or `signal` aborts). */
async function awaitEndElsewhere<TSemantic extends { type: string }>(
  id: string,
  topic: string,
  cluster: GenerationCluster<TSemantic>,
  bus: EventBus<GenerationMessage<TSemantic>>,
  signal: AbortSignal,
): Promise<void> {
  let ended: () => void = () => {};
  const end = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const unsubscribe = bus.subscribe(topic, (message) => {
    if (message.generationId === id && message.event.type === 'end') ended();
  });
  const release = cluster.watch(id);
  signal.addEventListener('abort', ended, { once: true });
  try {
    await cluster.subscribed(topic);
    const remote = await cluster.loadRemote(id);
    // No history: it never ran elsewhere, or ended long enough ago to be trimmed.
    if (remote?.status !== 'generating') return;
    await end;
  } finally {
    signal.removeEventListener('abort', ended);
    unsubscribe();
    release();
  }
}
