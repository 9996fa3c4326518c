import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase } from '../../test/test-database';
import { migrateToLatest, type SluiceDatabase } from '../database';
import { saveBilledUsage } from './generation-outcome';
import { lastModelPriceRefresh, listModelPrices, replaceModelPrices } from './model-prices';
import {
  appendPlanContent,
  findPlan,
  finishPlan,
  insertContinuation,
  insertPlan,
  listPlans,
  recoverInterruptedPlans,
} from './plans';

let db: SluiceDatabase;
let close: () => Promise<void>;

/** The owner every row in these tests belongs to. */
const owner = 'user-1';

async function insertOwner(db: SluiceDatabase) {
  const timestamp = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      id: owner,
      name: 'Owner',
      email: 'owner@example.com',
      created_at: timestamp,
      updated_at: timestamp,
    })
    .execute();
}

const at = (iso: string) => new Date(iso);

async function createPlan(id: string, now = at('2026-11-22T10:00:00.000Z')) {
  return insertPlan(db, {
    userId: owner,
    id,
    inputId: `input-${id}`,
    goals: `goals of ${id}`,
    preferences: { hoursPerWeek: 5 },
    model: 'sluice/simulator',
    now,
  });
}

describe.each(engines)('plans repository on %s', (engine) => {
  beforeEach(async () => {
    ({ db, close } = await openTestDatabase(engine));
    await insertOwner(db);
  });

  afterEach(() => close());

  it.runIf(engine === 'sqlite')('opens the file in WAL mode with foreign keys on', async () => {
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    expect(journal.rows[0]?.journal_mode).toBe('wal');
    const foreignKeys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
    expect(foreignKeys.rows[0]?.foreign_keys).toBe(1);
  });

  it('stores a stopped plan’s bill over its estimate, and never replaces a billed figure', async () => {
    await createPlan('p1');
    await finishPlan(db, {
      id: 'p1',
      status: 'cancelled',
      reason: 'cancelled',
      error: null,
      usage: { inputTokens: 10, outputTokens: 5, cost: 0.0001, costSource: 'estimated' },
      upstreamId: 'gen-1',
      text: 'partial',
      planJson: null,
      now: at('2026-11-22T10:01:00.000Z'),
    });
    const bill = { inputTokens: 12, outputTokens: 6, cost: 0.00012, costSource: 'billed' as const };
    const now = at('2026-11-22T10:02:00.000Z');
    expect(await saveBilledUsage(db, 'plans', { id: 'p1', usage: bill, now })).toBe(true);
    expect(await saveBilledUsage(db, 'plans', { id: 'p1', usage: { ...bill, cost: 9 }, now })).toBe(
      false,
    );
    const row = await findPlan(db, 'p1', owner);
    expect(row).toMatchObject({
      input_tokens: 12,
      output_tokens: 6,
      cost: 0.00012,
      cost_source: 'billed',
      upstream_id: 'gen-1',
    });
  });

  it('does not bill a plan still generating', async () => {
    await createPlan('p1');
    const usage = { inputTokens: 1, outputTokens: 1, cost: 1, costSource: 'billed' as const };
    expect(
      await saveBilledUsage(db, 'plans', { id: 'p1', usage, now: at('2026-11-22T10:02:00.000Z') }),
    ).toBe(false);
  });

  it('replaces the cached model prices in one go and knows when', async () => {
    expect(await lastModelPriceRefresh(db)).toBeUndefined();
    await replaceModelPrices(db, {
      prices: [{ model: 'a/b', inputPerToken: 1.5e-7, outputPerToken: 6e-7 }],
      source: 'openrouter-models',
      now: at('2026-11-22T10:00:00.000Z'),
    });
    await replaceModelPrices(db, {
      prices: [
        { model: 'c/d', inputPerToken: 1e-6, outputPerToken: 2e-6, cacheReadPerToken: 1e-7 },
      ],
      source: 'openrouter-models',
      now: at('2026-11-23T10:00:00.000Z'),
    });
    const rows = await listModelPrices(db);
    expect(rows.map((row) => [row.model, row.input_per_token, row.cache_read_per_token])).toEqual([
      ['c/d', 1e-6, 1e-7],
    ]);
    expect(await lastModelPriceRefresh(db)).toBe('2026-11-23T10:00:00.000Z');
  });

  it('is idempotent to migrate twice', async () => {
    await expect(migrateToLatest(db)).resolves.toBeUndefined();
  });

  it('inserts a plan with its input as generating', async () => {
    const row = await createPlan('p1');
    expect(row.status).toBe('generating');
    expect(row.partial_content).toBe('');
    const found = await findPlan(db, 'p1', owner);
    expect(found?.goals).toBe('goals of p1');
    expect(JSON.parse(found?.preferences ?? '')).toEqual({ hoursPerWeek: 5 });
    expect(await findPlan(db, 'missing', owner)).toBeUndefined();
  });

  it('rejects a status outside the allowed set', async () => {
    await createPlan('p1');
    await expect(sql`update plans set status = 'done' where id = 'p1'`.execute(db)).rejects.toThrow(
      /check constraint/i,
    );
  });

  it('appends streamed text in batches and only while generating', async () => {
    await createPlan('a');
    await createPlan('b');
    await appendPlanContent(
      db,
      [
        { id: 'a', text: '{"ti' },
        { id: 'b', text: 'x' },
      ],
      new Date(),
    );
    await appendPlanContent(db, [{ id: 'a', text: 'tle": "é😀' }], new Date());
    expect((await findPlan(db, 'a', owner))?.partial_content).toBe('{"title": "é😀');
    expect((await findPlan(db, 'b', owner))?.partial_content).toBe('x');

    await finishPlan(db, {
      id: 'b',
      status: 'cancelled',
      reason: 'cancelled',
      text: 'x',
      planJson: null,
      error: null,
      usage: null,
      now: new Date(),
    });
    await appendPlanContent(db, [{ id: 'b', text: 'late' }], new Date());
    expect((await findPlan(db, 'b', owner))?.partial_content).toBe('x');
  });

  it('finishes a plan once, storing content only when completed', async () => {
    await createPlan('done');
    const finished = await finishPlan(db, {
      id: 'done',
      status: 'completed',
      reason: null,
      text: '{"title":"t"}',
      planJson: '{"title":"t"}',
      error: null,
      usage: { inputTokens: 12, outputTokens: 34, cost: 0.001 },
      stats: { timeToFirstTokenMs: 120, durationMs: 3400 },
      now: at('2026-11-22T10:01:00.000Z'),
    });
    expect(finished).toBe(true);
    const again = await finishPlan(db, {
      id: 'done',
      status: 'failed',
      reason: null,
      text: '',
      planJson: null,
      error: { code: 'X', message: 'y', retryable: false },
      usage: null,
      now: new Date(),
    });
    expect(again).toBe(false);
    const row = await findPlan(db, 'done', owner);
    expect(row).toMatchObject({
      status: 'completed',
      content: '{"title":"t"}',
      input_tokens: 12,
      output_tokens: 34,
      cost: 0.001,
      completed_at: '2026-11-22T10:01:00.000Z',
      time_to_first_token_ms: 120,
      duration_ms: 3400,
      characters: '{"title":"t"}'.length,
    });

    await createPlan('failed');
    await finishPlan(db, {
      id: 'failed',
      status: 'failed',
      reason: 'upstream-error',
      text: 'partial text',
      planJson: null,
      error: { code: 'UPSTREAM_STREAM', message: 'boom', retryable: true },
      usage: null,
      now: new Date(),
    });
    expect(await findPlan(db, 'failed', owner)).toMatchObject({
      status: 'failed',
      content: null,
      partial_content: 'partial text',
      error_code: 'UPSTREAM_STREAM',
      error_retryable: 1,
    });
  });

  it('lists newest first with a stable cursor', async () => {
    await createPlan('p1', at('2026-11-22T10:00:00.000Z'));
    await createPlan('p2', at('2026-11-22T10:00:01.000Z'));
    await createPlan('p3', at('2026-11-22T10:00:01.000Z'));
    await createPlan('p4', at('2026-11-22T10:00:02.000Z'));
    const first = await listPlans(db, { userId: owner, limit: 2 });
    expect(first.map((row) => row.id)).toEqual(['p4', 'p3']);
    const last = first.at(-1);
    const second = await listPlans(db, {
      userId: owner,
      limit: 2,
      cursor: last ? { createdAt: last.created_at, id: last.id } : null,
    });
    expect(second.map((row) => row.id)).toEqual(['p2', 'p1']);
  });

  it('recovers plans left generating as partial, keeping their content', async () => {
    await createPlan('crashed');
    await appendPlanContent(db, [{ id: 'crashed', text: '{"title":"half' }], new Date());
    await createPlan('finished');
    await finishPlan(db, {
      id: 'finished',
      status: 'completed',
      reason: null,
      text: '{}',
      planJson: '{}',
      error: null,
      usage: null,
      now: new Date(),
    });
    const recovered = await recoverInterruptedPlans(db, {
      reason: 'server-restart',
      now: new Date(),
    });
    expect(recovered).toEqual(['crashed']);
    expect(await findPlan(db, 'crashed', owner)).toMatchObject({
      status: 'partial',
      status_reason: 'server-restart',
      partial_content: '{"title":"half',
    });
    expect((await findPlan(db, 'finished', owner))?.status).toBe('completed');
  });

  it("recovers only the plans named (a dead instance's), leaving other generating plans alone", async () => {
    await createPlan('lost');
    await appendPlanContent(db, [{ id: 'lost', text: '{"title":"saved' }], new Date());
    await createPlan('running-elsewhere');
    const recovered = await recoverInterruptedPlans(db, {
      reason: 'instance-lost',
      now: new Date(),
      ids: ['lost', 'unknown'],
    });
    expect(recovered).toEqual(['lost']);
    expect(await findPlan(db, 'lost', owner)).toMatchObject({
      status: 'partial',
      status_reason: 'instance-lost',
      partial_content: '{"title":"saved',
    });
    expect((await findPlan(db, 'running-elsewhere', owner))?.status).toBe('generating');
    expect(await recoverInterruptedPlans(db, { reason: 'x', now: new Date(), ids: [] })).toEqual(
      [],
    );
    expect((await findPlan(db, 'running-elsewhere', owner))?.status).toBe('generating');
  });

  it('inserts a continuation that shares the input and starts from the saved text', async () => {
    await createPlan('source');
    await appendPlanContent(db, [{ id: 'source', text: '{"title":"Half' }], new Date());
    const row = await insertContinuation(db, {
      userId: owner,
      id: 'next',
      source: { id: 'source', inputId: 'input-source' },
      prefix: '{"title":"Half',
      model: 'other/model',
      now: new Date(),
    });
    expect(row).toMatchObject({
      status: 'generating',
      partial_content: '{"title":"Half',
      continued_from: 'source',
    });
    expect(await findPlan(db, 'next', owner)).toMatchObject({
      goals: 'goals of source',
      model: 'other/model',
    });
    await expect(
      insertContinuation(db, {
        userId: owner,
        id: 'orphan',
        source: { id: 'missing', inputId: 'input-source' },
        prefix: '',
        model: 'm',
        now: new Date(),
      }),
    ).rejects.toThrow(/foreign key/i);
  });

  it('deletes a plan with its input (foreign key cascade)', async () => {
    await createPlan('p1');
    await db.deleteFrom('plan_inputs').where('id', '=', 'input-p1').execute();
    expect(await findPlan(db, 'p1', owner)).toBeUndefined();
  });
});
