import type { Logger } from 'pino';
import type { ActivityService } from './activity/activity-service';
import type { ApiKeys } from './auth/api-keys';
import type { AccountSettingsService } from './auth/app-settings';
import type { Caller } from './auth/caller';
import type { ChatService } from './chat/chat-service';
import type { PlanService } from './plans/plan-service';
import type { PriceTable } from './pricing/price-table';
import type { ProviderKeyService } from './provider-keys/provider-key-service';
import type { ProviderMode } from './providers/create-provider';
import type { QuotaService } from './quotas/quota-service';

export interface ContextDependencies {
  plans: PlanService;
  chat: ChatService;
  apiKeys: ApiKeys;
  accountSettings: AccountSettingsService;
  providerKeys: ProviderKeyService;
  quotas: QuotaService;
  /** The admin's activity page. */
  activity: ActivityService;
  logger: Logger;
  /** True when plans come from the bundled simulator, not a real model. */
  simulated: boolean;
  defaultModel: string;
  /** How each provider is reached (system.info). */
  providerModes: Record<'openrouter' | 'anthropic' | 'openai', ProviderMode>;
  prices: PriceTable;
}

/**
 * The context every procedure sees: the app's services and the caller, resolved per HTTP
 * request (null without valid credentials). Tests build it directly from dependencies.
 */
export function createContextInner(dependencies: ContextDependencies, caller: Caller | null) {
  return { ...dependencies, caller };
}

export type Context = ReturnType<typeof createContextInner>;
