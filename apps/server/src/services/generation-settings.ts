import type { SluiceDatabase } from '@sluice/db';
import type { Logger } from 'pino';
import type { EventBus } from '../generation/event-bus';
import type { GenerationEngine, GenerationMessage } from '../generation/generation-engine';
import type { GenerationSlot, GenerationSlots } from '../generation/generation-slots';
import type { ResolveUpstream } from '../provider-keys/generation-upstream';
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
