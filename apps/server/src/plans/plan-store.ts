import {
  appendPlanContent,
  finishPlan,
  markPlanAttempt,
  recoverInterruptedPlans,
  type SluiceDatabase,
  saveBilledUsage,
} from '@sluice/db';
import type { PlanSemanticEvent } from '@sluice/shared';
import { savedOutcomeOf } from '../generation/generation-outcome';
import type { GenerationStore } from '../generation/generation-store';
import { storedPlanStream } from './plan-document';

export interface PlanStoreDependencies {
  db: SluiceDatabase;
  now?: () => Date;
}

/** Plans' generations in the `plans` table (see GenerationStore). */
export function createPlanStore(
  dependencies: PlanStoreDependencies,
): GenerationStore<PlanSemanticEvent> {
  const { db } = dependencies;
  const now = dependencies.now ?? (() => new Date());
  return {
    markAttempt(id, attempt) {
      return markPlanAttempt(db, { id, attempts: attempt, now: now(), started: attempt === 1 });
    },
    append(appends) {
      return appendPlanContent(db, appends, now());
    },
    finish(id, result) {
      return finishPlan(db, {
        id,
        ...savedOutcomeOf(result),
        text: result.text,
        planJson: result.documentJson,
        stats: {
          timeToFirstTokenMs: result.stats.timeToFirstTokenMs,
          durationMs: result.stats.durationMs,
        },
        now: now(),
      });
    },
    async loadStored(id) {
      const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? storedPlanStream(row) : undefined;
    },
    saveBilledUsage(id, usage) {
      return saveBilledUsage(db, 'plans', { id, usage, now: now() });
    },
    recover(reason, ids) {
      return recoverInterruptedPlans(db, { reason, now: now(), ids });
    },
  };
}
