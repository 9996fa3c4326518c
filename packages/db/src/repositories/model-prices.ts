import type { Kysely } from 'kysely';
import type { Database, ModelPriceRow } from '../schema';

export interface ModelPriceInput {
  model: string;
  inputPerToken: number;
  outputPerToken: number;
  cacheReadPerToken?: number | null;
  cacheWritePerToken?: number | null;
  reasoningPerToken?: number | null;
}

export async function listModelPrices(db: Kysely<Database>): Promise<ModelPriceRow[]> {
  return db.selectFrom('model_prices').selectAll().orderBy('model').execute();
}

/** When the cached prices were last refreshed (ISO text), or undefined when never. */
export async function lastModelPriceRefresh(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('model_prices')
    .select((expression) => expression.fn.max('refreshed_at').as('refreshed_at'))
    .executeTakeFirst();
  return row?.refreshed_at ?? undefined;
}

/** Replaces the cached prices in one transaction (a refresh is all or nothing). */
export async function replaceModelPrices(
  db: Kysely<Database>,
  args: { prices: readonly ModelPriceInput[]; source: string; now: Date },
): Promise<void> {
  const refreshedAt = args.now.toISOString();
  await db.transaction().execute(async (transaction) => {
    await transaction.deleteFrom('model_prices').execute();
    // Small batches keep every statement under SQLite's bound-parameter limit.
    for (let start = 0; start < args.prices.length; start += 100) {
      await transaction
        .insertInto('model_prices')
        .values(
          args.prices.slice(start, start + 100).map((price) => ({
            model: price.model,
            input_per_token: price.inputPerToken,
            output_per_token: price.outputPerToken,
            cache_read_per_token: price.cacheReadPerToken ?? null,
            cache_write_per_token: price.cacheWritePerToken ?? null,
            reasoning_per_token: price.reasoningPerToken ?? null,
            source: args.source,
            refreshed_at: refreshedAt,
          })),
        )
        .execute();
    }
  });
}
