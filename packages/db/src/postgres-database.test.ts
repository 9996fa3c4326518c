import { findFreePort } from '@sluice/test-services';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../test/test-database';
import {
  checkDatabase,
  checkDatabaseFile,
  databaseEngine,
  databaseEngineOf,
  migrateToLatest,
  openDatabase,
  type SluiceDatabase,
} from './database';
import { DatabaseOpenError } from './database-file';
import { migrations } from './migrations';
import { findChatMessage, finishChatMessage, insertChatTurn } from './repositories/chat-messages';
import { insertChatSession } from './repositories/chat-sessions';
import {
  appendPlanContent,
  findPlan,
  finishPlan,
  insertPlan,
  listPlans,
} from './repositories/plans';
import { countUsers } from './repositories/users';

const opened: TestDatabase[] = [];
const extra: SluiceDatabase[] = [];

afterEach(async () => {
  await Promise.all(extra.splice(0).map((db) => db.destroy()));
  await Promise.all(opened.splice(0).map((database) => database.close()));
});

async function open(engine: 'sqlite' | 'postgres', options: { migrate?: boolean } = {}) {
  const database = await openTestDatabase(engine, options);
  opened.push(database);
  return database;
}

const owner = 'user-1';
const now = new Date('2026-12-02T10:00:00.123Z');

async function writeSameRows(db: SluiceDatabase) {
  await db
    .insertInto('users')
    .values({
      id: owner,
      name: 'Owner',
      email: 'owner@example.com',
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
  await insertPlan(db, {
    id: 'p1',
    userId: owner,
    inputId: 'i1',
    goals: 'goals',
    preferences: { hoursPerWeek: 5 },
    model: 'm',
    now,
  });
  await finishPlan(db, {
    id: 'p1',
    status: 'failed',
    reason: null,
    text: 'text',
    planJson: '{"title":"x"}',
    error: { code: 'UPSTREAM', message: 'no', retryable: true },
    usage: { inputTokens: 3, outputTokens: 4, cost: 0.000123456789 },
    now,
  });
  await insertChatSession(db, {
    id: 's1',
    userId: owner,
    title: 't',
    model: 'm',
    systemPrompt: '',
    character: '',
    userProfile: '',
    experiment: true,
    now,
  });
  await insertChatTurn(db, {
    sessionId: 's1',
    userId: owner,
    userMessage: { id: 'u1', content: 'q', clientRequestId: 'r1' },
    assistantMessage: { id: 'a1', model: 'm', keySource: 'simulator' },
    artifactId: null,
    now,
  });
  await finishChatMessage(db, {
    id: 'a1',
    status: 'completed',
    reason: null,
    text: 'answer',
    error: null,
    usage: { inputTokens: 1, outputTokens: 2, cost: null },
    stats: { timeToFirstTokenMs: 5, durationMs: 10, chunks: 2, characters: 6 },
    artifact: null,
    provisionedArtifactId: null,
    now,
  });
}

describe('PostgreSQL through openDatabase', () => {
  it('selects the engine by the URL', () => {
    expect(databaseEngineOf('postgres://u@h/db')).toBe('postgres');
    expect(databaseEngineOf('postgresql://u@h/db')).toBe('postgres');
    expect(databaseEngineOf('./data/sluice.db')).toBe('sqlite');
    expect(databaseEngineOf(':memory:')).toBe('sqlite');
  });

  it('opens a pool on a postgres:// URL that answers the probes', async () => {
    const { db } = await open('postgres');
    expect(databaseEngine(db)).toBe('postgres');
    expect(checkDatabaseFile(db)).toEqual({ ok: true });
    expect(await checkDatabase(db)).toEqual({ ok: true });
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' order by table_name`.execute(db);
    expect(tables.rows.map((row) => row.name)).toContain('chat_messages');
  });

  it('reads every row in the same shape on both engines', async () => {
    const sqlite = (await open('sqlite')).db;
    const postgres = (await open('postgres')).db;
    await writeSameRows(sqlite);
    await writeSameRows(postgres);
    const read = async (db: SluiceDatabase) => ({
      plan: await findPlan(db, 'p1', owner),
      list: await listPlans(db, { userId: owner, limit: 10 }),
      reply: await findChatMessage(db, 'a1'),
      session: await db.selectFrom('chat_sessions').selectAll().execute(),
      users: await countUsers(db),
      count: await db
        .selectFrom('plans')
        .select((eb) => eb.fn.countAll().as('count'))
        .executeTakeFirstOrThrow(),
    });
    const fromPostgres = await read(postgres);
    expect(fromPostgres).toEqual(await read(sqlite));
    // Timestamps come back as written; a count is a number; a cost keeps double precision.
    expect(fromPostgres.plan?.created_at).toBe('2026-12-02T10:00:00.123Z');
    expect(fromPostgres.plan?.cost).toBe(0.000123456789);
    expect(fromPostgres.count).toEqual({ count: 1 });
    expect(fromPostgres.reply).not.toHaveProperty('position');
  });

  it('flushes a batch of appends in one statement, joining appends to one row in order', async () => {
    const { db } = await open('postgres');
    await writeSameRows(db);
    for (const id of ['a', 'b']) {
      await insertPlan(db, {
        id,
        userId: owner,
        inputId: `input-${id}`,
        goals: 'g',
        preferences: {},
        model: 'm',
        now,
      });
    }
    const statements: string[] = [];
    const counted = db.withPlugin({
      transformQuery: (args) => {
        statements.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    await appendPlanContent(
      counted,
      [
        { id: 'a', text: 'one ' },
        { id: 'b', text: 'x' },
        { id: 'a', text: 'two' },
        { id: 'p1', text: 'not generating' },
      ],
      new Date('2026-12-02T11:00:00.000Z'),
    );
    expect(statements).toHaveLength(1);
    expect((await findPlan(db, 'a', owner))?.partial_content).toBe('one two');
    expect((await findPlan(db, 'a', owner))?.updated_at).toBe('2026-12-02T11:00:00.000Z');
    expect((await findPlan(db, 'b', owner))?.partial_content).toBe('x');
    expect((await findPlan(db, 'p1', owner))?.partial_content).toBe('text');
  });

  it('migrates once when instances boot at the same moment on a fresh database', async () => {
    const { url } = await open('postgres', { migrate: false });
    const instances = Array.from({ length: 4 }, () => openDatabase({ url, poolSize: 2 }));
    extra.push(...instances);
    await Promise.all(instances.map((db) => migrateToLatest(db)));
    const applied = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(instances[0] as SluiceDatabase);
    expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
  });

  it('names an unreachable server without its password', async () => {
    const port = await findFreePort();
    const db = openDatabase({ url: `postgres://sluice:s3cret@127.0.0.1:${port}/sluice` });
    extra.push(db);
    const error = await migrateToLatest(db).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseOpenError);
    const message = (error as Error).message;
    expect(message).toContain(
      `Cannot connect to the PostgreSQL database postgres://sluice:***@127.0.0.1:${port}/sluice (DATABASE_URL): `,
    );
    expect(message).not.toContain('s3cret');
    expect(await checkDatabase(db)).toEqual({
      ok: false,
      reason: expect.stringContaining('The database does not answer: Cannot connect'),
    });
  });
});
