import { createResumeStorage, type ResumeStorage } from '../../lib/resume-storage';
import type { PlanResumeState } from './plan-stream-store';

export type PlanResumeStorage = ResumeStorage<PlanResumeState>;

function parsePlanResumeState(saved: Record<string, unknown>): PlanResumeState | null {
  const valid =
    typeof saved.content === 'string' &&
    typeof saved.status === 'string' &&
    (saved.lastEventId === null || typeof saved.lastEventId === 'string');
  return valid ? (saved as unknown as PlanResumeState) : null;
}

/**
 * Where a tab keeps, per plan, the last event id together with the content it covers,
 * so a reload resumes exactly (`lastEventId`) instead of starting over.
 */
export function createPlanResumeStorage(storage?: Storage, now?: () => number): PlanResumeStorage {
  return createResumeStorage({
    keyPrefix: 'sluice:plan-stream:',
    maxSaved: 20,
    parse: parsePlanResumeState,
    storage,
    now,
  });
}
