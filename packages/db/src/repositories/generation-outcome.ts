import type { Kysely } from 'kysely';
import type { Database, PlanStatusValue } from '../schema';

/** How a generation ended, as plans and chat replies both store it. */
export interface GenerationOutcome {
  status: Exclude<PlanStatusValue, 'generating'>;
  reason: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
  usage: { inputTokens: number; outputTokens: number; cost: number | null } | null;
  now: Date;
}

/** The columns plans and chat_messages share for a generation's end. */
export function outcomeColumns(outcome: GenerationOutcome) {
  const timestamp = outcome.now.toISOString();
  return {
    status: outcome.status,
    status_reason: outcome.reason,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    error_retryable: outcome.error ? Number(outcome.error.retryable) : null,
    input_tokens: outcome.usage?.inputTokens ?? null,
    output_tokens: outcome.usage?.outputTokens ?? null,
    cost: outcome.usage?.cost ?? null,
    completed_at: timestamp,
    updated_at: timestamp,
  };
}

/**
 * At boot: rows left `generating` by a process that died become `partial` with the
 * reason, keeping whatever content was flushed. Returns their ids.
 */
export async function recoverInterrupted(
  db: Kysely<Database>,
  table: 'plans' | 'chat_messages',
  args: { reason: string; now: Date; ids?: readonly string[] },
): Promise<string[]> {
  const { ids } = args;
  if (ids?.length === 0) return [];
  const timestamp = args.now.toISOString();
  const rows = await db
    .updateTable(table)
    .set({
      status: 'partial',
      status_reason: args.reason,
      completed_at: timestamp,
      updated_at: timestamp,
    })
    .where('status', '=', 'generating')
    // Only these (a dead instance's generations, several instances): others may be running.
    .$if(ids !== undefined, (query) => query.where('id', 'in', ids ?? []))
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
