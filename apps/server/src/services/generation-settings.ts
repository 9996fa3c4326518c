import type { SluiceDatabase } from '@sluice/db';
import type { Logger } from 'pino';
import type { EventBus } from '../generation/event-bus';
import type {
  GenerationEngine,
  GenerationMessage,
  GenerationResult,
} from '../generation/generation-engine';
import type { GenerationSlot, GenerationSlots } from '../generation/generation-slots';
import type { ResolveUpstream } from '../provider-keys/generation-upstream';
import type { GenerationRateLimit } from '../quotas/generation-rate-limit';
import type { QuotaService } from '../quotas/quota-service';
import { TooManyRequestsError } from './errors';

/** What plan and chat services need to know to start generations. */
export interface GenerationSettings {
  defaultModel: string;
  fallbackModels: readonly string[];
  temperature: number;
  maxTokens: number;
}

/** What a service that starts generations (plans, chat) is given. */
export interface GenerationServiceDependencies<TSemantic extends { type: string }> {
  db: SluiceDatabase;
  engine: GenerationEngine<TSemantic>;
  bus: EventBus<GenerationMessage<TSemantic>>;
  config: GenerationSettings;
  /** The cap on running generations, one for every service that starts them. */
  slots: GenerationSlots;
  logger: Logger;
  /** Which key (and so which upstream) pays for a generation started by a user. */
  resolveUpstream: ResolveUpstream;
  /** Per-user quotas, taken in the transaction that writes the plan or reply. */
  quotas: QuotaService;
  /** Per-user start rate, checked before the slot and the quota. */
  startRate: GenerationRateLimit;
  /** True while the server is too busy to start another generation. */
  isOverloaded?: () => boolean;
  newId?: () => string;
  now?: () => Date;
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

/** Whether a finished generation gives its quota units back: it failed before any token. */
export function failedBeforeFirstToken(result: GenerationResult): boolean {
  return result.status === 'failed' && result.stats.timeToFirstTokenMs === null;
}
