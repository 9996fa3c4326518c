import type { Logger } from 'pino';
import type { ProviderKeyService } from './provider-keys/provider-key-service';
import type { ChatService } from './services/chat-service';
import type { PlanService } from './services/plan-service';

export interface ContextDependencies {
  plans: PlanService;
  chat: ChatService;
  providerKeys: ProviderKeyService;
  logger: Logger;
  /** True when plans come from the bundled simulator, not a real model. */
  simulated: boolean;
  defaultModel: string;
}

/** The context every procedure sees; tests build it directly from dependencies. */
export function createContextInner(dependencies: ContextDependencies) {
  return { ...dependencies };
}

export type Context = ReturnType<typeof createContextInner>;
