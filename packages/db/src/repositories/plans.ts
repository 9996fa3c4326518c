import type { Kysely } from 'kysely';
import type { Database, KeySource, PlanRow } from '../schema';
import { appendContent, type ContentAppend } from './content-appends';
import { type GenerationOutcome, outcomeColumns, recoverInterrupted } from './generation-outcome';
import { type QuotaReservation, reserveQuotas } from './quotas';

export type { ContentAppend } from './content-appends';

export interface InsertPlanArgs {
  id: string;
  /** The owner. */
  userId: string;
  inputId: string;
  goals: string;
  preferences: Record<string, unknown>;
  model: string;
  /** Which key pays for the generation (recorded, never the key). */
  keySource?: KeySource | null;
  /** Units taken in the same transaction; a quota that ran out throws QuotaUnavailableError. */
  quotas?: readonly QuotaReservation[];
  now: Date;
}

export type PlanWithInputRow = PlanRow & { goals: string; preferences: string };

/**
 * Takes the quota units and writes the input and the plan row (status `generating`) in one
 * transaction: a refused quota writes nothing.
 */
export async function insertPlan(db: Kysely<Database>, args: InsertPlanArgs): Promise<PlanRow> {
  const timestamp = args.now.toISOString();
  return db.transaction().execute(async (transaction) => {
    await reserveQuotas(transaction, args.userId, args.quotas ?? []);
    await transaction
      .insertInto('plan_inputs')
      .values({
        id: args.inputId,
        user_id: args.userId,
        goals: args.goals,
        preferences: JSON.stringify(args.preferences),
        created_at: timestamp,
      })
      .execute();
    return transaction
      .insertInto('plans')
      .values({
        id: args.id,
        user_id: args.userId,
        input_id: args.inputId,
        status: 'generating',
        model: args.model,
        key_source: args.keySource ?? null,
        created_at: timestamp,
        updated_at: timestamp,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export interface InsertContinuationArgs {
  id: string;
  /** The owner (the source plan's). */
  userId: string;
  /** The plan being continued; the new plan shares its input. */
  source: { id: string; inputId: string };
  /** The text the new plan starts from (the source's saved text). */
  prefix: string;
  model: string;
  keySource?: KeySource | null;
  /** Units taken in the same transaction (see insertPlan). */
  quotas?: readonly QuotaReservation[];
  now: Date;
}

/** A new `generating` plan that starts from another plan's saved text (quota units taken with it). */
export async function insertContinuation(
  db: Kysely<Database>,
  args: InsertContinuationArgs,
): Promise<PlanRow> {
  const timestamp = args.now.toISOString();
  return db.transaction().execute(async (transaction) => {
    await reserveQuotas(transaction, args.userId, args.quotas ?? []);
    return transaction
      .insertInto('plans')
      .values({
        id: args.id,
        user_id: args.userId,
        input_id: args.source.inputId,
        status: 'generating',
        model: args.model,
        partial_content: args.prefix,
        continued_from: args.source.id,
        key_source: args.keySource ?? null,
        created_at: timestamp,
        updated_at: timestamp,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

function selectPlanWithInput(db: Kysely<Database>) {
  return db
    .selectFrom('plans')
    .innerJoin('plan_inputs', 'plan_inputs.id', 'plans.input_id')
    .selectAll('plans')
    .select(['plan_inputs.goals', 'plan_inputs.preferences']);
}

/** The plan with this id if `userId` owns it (another user's plan is not found either). */
export async function findPlan(
  db: Kysely<Database>,
  id: string,
  userId: string,
): Promise<PlanWithInputRow | undefined> {
  return selectPlanWithInput(db)
    .where('plans.id', '=', id)
    .where('plans.user_id', '=', userId)
    .executeTakeFirst();
}

export interface PlanCursor {
  createdAt: string;
  id: string;
}

/** A user's plans, newest first; pass the last row's (created_at, id) as the cursor for the next page. */
export async function listPlans(
  db: Kysely<Database>,
  args: { userId: string; cursor?: PlanCursor | null; limit: number },
): Promise<PlanWithInputRow[]> {
  let query = selectPlanWithInput(db)
    .where('plans.user_id', '=', args.userId)
    .orderBy('plans.created_at', 'desc')
    .orderBy('plans.id', 'desc')
    .limit(args.limit);
  const cursor = args.cursor;
  if (cursor) {
    query = query.where((eb) =>
      eb.or([
        eb('plans.created_at', '<', cursor.createdAt),
        eb.and([eb('plans.created_at', '=', cursor.createdAt), eb('plans.id', '<', cursor.id)]),
      ]),
    );
  }
  return query.execute();
}

export async function markPlanAttempt(
  db: Kysely<Database>,
  args: { id: string; attempts: number; now: Date; started: boolean },
): Promise<void> {
  const timestamp = args.now.toISOString();
  await db
    .updateTable('plans')
    .set({
      attempts: args.attempts,
      updated_at: timestamp,
      ...(args.started ? { generation_started_at: timestamp } : {}),
    })
    .where('id', '=', args.id)
    .execute();
}

/** Appends streamed text to generating plans (see appendContent). */
export function appendPlanContent(
  db: Kysely<Database>,
  appends: readonly ContentAppend[],
  now: Date,
): Promise<void> {
  return appendContent(db, { table: 'plans', column: 'partial_content' }, appends, now);
}

export interface FinishPlanArgs extends GenerationOutcome {
  id: string;
  /** The whole text streamed, whatever the status. */
  text: string;
  planJson: string | null;
  /** The generation's timings, for the activity page (null TTFT: no token arrived). */
  stats?: { timeToFirstTokenMs: number | null; durationMs: number };
}

/** Moves a generating plan to its terminal state; returns false if it was not generating. */
export async function finishPlan(db: Kysely<Database>, args: FinishPlanArgs): Promise<boolean> {
  const result = await db
    .updateTable('plans')
    .set({
      ...outcomeColumns(args),
      partial_content: args.text,
      content: args.status === 'completed' ? args.text : null,
      plan_json: args.planJson,
      characters: args.text.length,
      ...(args.stats
        ? {
            time_to_first_token_ms: args.stats.timeToFirstTokenMs,
            duration_ms: args.stats.durationMs,
          }
        : {}),
    })
    .where('id', '=', args.id)
    .where('status', '=', 'generating')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** At boot: plans left `generating` by a dead process become `partial` (see recoverInterrupted). */
export function recoverInterruptedPlans(
  db: Kysely<Database>,
  args: { reason: string; now: Date },
): Promise<string[]> {
  return recoverInterrupted(db, 'plans', args);
}
