import type { SluiceDatabase } from '@sluice/db';
import type { Logger } from 'pino';
import type { EventBus } from '../generation/event-bus';
import type { GenerationEngine, GenerationMessage } from '../generation/generation-engine';

/** What plan and chat services need to know to start generations. */
export interface GenerationSettings {
  defaultModel: string;
  fallbackModels: readonly string[];
  temperature: number;
  maxTokens: number;
  /** Starting a generation answers TOO_MANY_REQUESTS beyond this many running ones. */
  maxActiveGenerations: number;
}

/** What a service that starts generations (plans, chat) is given. */
export interface GenerationServiceDependencies<TSemantic extends { type: string }> {
  db: SluiceDatabase;
  engine: GenerationEngine<TSemantic>;
  bus: EventBus<GenerationMessage<TSemantic>>;
  config: GenerationSettings;
  logger: Logger;
  /** True while the server is too busy to start another generation. */
  isOverloaded?: () => boolean;
  newId?: () => string;
  now?: () => Date;
}
