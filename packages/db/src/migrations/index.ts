import type { Migration } from 'kysely';
import * as createPlans from './2026-11-22-001-create-plans';
import * as planContinuations from './2026-11-22-002-plan-continuations';
import * as createChat from './2026-11-22-003-create-chat';
import * as accounts from './2026-12-01-001-accounts';
import * as providerKeys from './2026-12-01-002-provider-keys';
import * as quotas from './2026-12-02-001-quotas';
import * as activity from './2026-12-04-001-activity';
import * as costs from './2026-12-05-001-costs';

/** Listed statically so bundles and `:memory:` tests share one path. */
export const migrations: Record<string, Migration> = {
  '2026-11-22-001-create-plans': createPlans,
  '2026-11-22-002-plan-continuations': planContinuations,
  '2026-11-22-003-create-chat': createChat,
  '2026-12-01-001-accounts': accounts,
  '2026-12-01-002-provider-keys': providerKeys,
  '2026-12-02-001-quotas': quotas,
  '2026-12-04-001-activity': activity,
  '2026-12-05-001-costs': costs,
};
