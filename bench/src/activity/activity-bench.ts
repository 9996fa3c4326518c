import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActivityAggregate,
  type ActivityDayCache,
  type ActivityRange,
  migrateToLatest,
  openDatabase,
  queryActivity,
  type SluiceDatabase,
  withSqliteConnection,
} from '@sluice/db';

/** Rows the issue asks the activity query to be measured on. */
const totalRows = 100_000;
/** Spread over this many days before now, so the 24-hour range holds a small part. */
const spreadDays = 45;
const users = 200;
const models = [
  'openai/gpt-4o-mini',
  'anthropic/claude-3.5-haiku',
  'meta/llama-3.1-70b',
  'google/gemini-flash',
];
interface Ending {
  share: number;
  status: string;
  reason: string | null;
  code: string | null;
}
const completed: Ending = { share: 0.85, status: 'completed', reason: null, code: null };
const endings: Ending[] = [
  completed,
  { share: 0.04, status: 'failed', reason: 'upstream-error', code: 'UPSTREAM_HTTP' },
  { share: 0.01, status: 'failed', reason: 'invalid-output', code: 'INVALID_OUTPUT' },
  { share: 0.05, status: 'cancelled', reason: 'cancelled', code: null },
  { share: 0.02, status: 'partial', reason: 'abandoned', code: null },
  { share: 0.02, status: 'partial', reason: 'timeout', code: null },
  { share: 0.01, status: 'partial', reason: 'length', code: null },
];

/** The ending whose share of the cumulative distribution holds `value` (0 ≤ value < 1). */
function pickEnding(value: number): Ending {
  let remaining = value;
  for (const ending of endings) {
    remaining -= ending.share;
    if (remaining < 0) return ending;
  }
  return completed;
}

/** A deterministic pseudo-random sequence (the same rows every run). */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

async function seed(db: SluiceDatabase, now: Date): Promise<void> {
  const random = createRandom(42);
  const timestamp = now.toISOString();
  await withSqliteConnection(db, (connection) => {
    const insertUser = connection.prepare(
      'insert into users (id, name, email, created_at, updated_at) values (?, ?, ?, ?, ?)',
    );
    const insertInput = connection.prepare(
      'insert into plan_inputs (id, user_id, goals, preferences, created_at) values (?, ?, ?, ?, ?)',
    );
    const insertPlan = connection.prepare(
      `insert into plans (id, user_id, input_id, status, status_reason, model, error_code, cost,
        time_to_first_token_ms, duration_ms, characters, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertSession = connection.prepare(
      'insert into chat_sessions (id, user_id, title, model, created_at, updated_at) values (?, ?, ?, ?, ?, ?)',
    );
    const insertMessage = connection.prepare(
      `insert into chat_messages (id, user_id, session_id, role, content, status, status_reason,
        reply_to, model, error_code, cost, time_to_first_token_ms, duration_ms, characters,
        created_at, updated_at)
       values (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    connection.transaction(() => {
      for (let user = 0; user < users; user++) {
        insertUser.run(
          `user-${user}`,
          `User ${user}`,
          `user-${user}@example.com`,
          timestamp,
          timestamp,
        );
        insertSession.run(
          `session-${user}`,
          `user-${user}`,
          'chat',
          models[0],
          timestamp,
          timestamp,
        );
      }
      for (let row = 0; row < totalRows; row++) {
        const userId = `user-${Math.floor(random() * users)}`;
        const createdAt = new Date(
          now.getTime() - random() * spreadDays * 86_400_000,
        ).toISOString();
        const ending = pickEnding(random());
        const model = models[Math.floor(random() * models.length)] ?? 'model';
        const firstToken =
          ending.code === 'UPSTREAM_HTTP' ? null : Math.round(150 + random() * 2500);
        const duration = Math.round(500 + random() * 60_000);
        const characters = Math.round(random() * 8000);
        const cost =
          ending.code === 'UPSTREAM_HTTP' ? null : Math.round(random() * 10_000) / 1_000_000;
        if (row % 5 < 3) {
          insertInput.run(`input-${row}`, userId, 'goals', '{}', createdAt);
          insertPlan.run(
            `plan-${row}`,
            userId,
            `input-${row}`,
            ending.status,
            ending.reason,
            model,
            ending.code,
            cost,
            firstToken,
            duration,
            characters,
            createdAt,
            createdAt,
          );
        } else {
          const session = `session-${userId.slice(5)}`;
          insertMessage.run(
            `question-${row}`,
            userId,
            session,
            'user',
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            createdAt,
            createdAt,
          );
          insertMessage.run(
            `reply-${row}`,
            userId,
            session,
            'assistant',
            ending.status,
            ending.reason,
            `question-${row}`,
            model,
            ending.code,
            cost,
            firstToken,
            duration,
            characters,
            createdAt,
            createdAt,
          );
        }
      }
    })();
  });
}

async function timeQuery(
  db: SluiceDatabase,
  range: ActivityRange,
  now: Date,
  runs: number,
  cache?: ActivityDayCache,
) {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await queryActivity(db, { range, now, cache });
    times.push(performance.now() - started);
  }
  times.sort((left, right) => left - right);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/**
 * The admin activity query on 100,000 generated plans and chat replies (60/40) spread over
 * 45 days: median time per range once past days are cached (as the server does), with the
 * activity indexes and no cache, and without the indexes (the baseline: the range is then read
 * through the plain created_at index or a scan).
 */
export async function runActivityBench(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-activity-bench-'));
  const db = openDatabase({ url: join(directory, 'sluice.db') });
  try {
    await migrateToLatest(db);
    const now = new Date();
    const seeding = performance.now();
    await seed(db, now);
    console.log(
      `\nActivity query (admin.activity): ${totalRows.toLocaleString('en')} rows (60% plans, 40% chat replies) over ${spreadDays} days; seeded in ${Math.round(performance.now() - seeding)} ms`,
    );
    const ranges: ActivityRange[] = ['24h', '7d', '30d'];
    const indexed: Record<string, number> = {};
    for (const range of ranges) indexed[range] = await timeQuery(db, range, now, 7);
    // The server keeps past days' aggregates: measured once they are cached (the first
    // request of a range fills them, at about the cost of the column before).
    const days = new Map<string, ActivityAggregate>();
    const cache: ActivityDayCache = {
      get: (day) => days.get(day),
      set: (day, value) => days.set(day, value),
    };
    const cached: Record<string, number> = {};
    for (const range of ranges) {
      await queryActivity(db, { range, now, cache });
      cached[range] = await timeQuery(db, range, now, 7, cache);
    }
    await withSqliteConnection(db, (connection) =>
      connection.exec('drop index plans_activity; drop index chat_messages_activity'),
    );
    const baseline: Record<string, number> = {};
    for (const range of ranges) baseline[range] = await timeQuery(db, range, now, 3);
    console.table(
      ranges.map((range) => ({
        range,
        'past days cached, ms (median of 7)': Math.round(cached[range] ?? 0),
        'with activity indexes, ms (median of 7)': Math.round(indexed[range] ?? 0),
        'without them, ms (median of 3)': Math.round(baseline[range] ?? 0),
      })),
    );
  } finally {
    await db.destroy();
    rmSync(directory, { recursive: true, force: true });
  }
}
