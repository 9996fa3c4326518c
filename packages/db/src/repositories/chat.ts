import { type Kysely, sql } from 'kysely';
import type {
  ChatArtifactRow,
  ChatMessageRow,
  ChatSessionRow,
  Database,
  KeySource,
} from '../schema';
import { appendContent, type ContentAppend } from './content-appends';
import { type GenerationOutcome, outcomeColumns, recoverInterrupted } from './generation-outcome';
import { type QuotaReservation, reserveQuotas } from './quotas';

// Settings -------------------------------------------------------------------

export async function readSettings(
  db: Kysely<Database>,
  keys: readonly string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', keys)
    .execute();
  return new Map(rows.map((row) => [row.key, row.value]));
}

export async function writeSettings(
  db: Kysely<Database>,
  values: Readonly<Record<string, string>>,
  now: Date,
): Promise<void> {
  const timestamp = now.toISOString();
  await db.transaction().execute(async (transaction) => {
    for (const [key, value] of Object.entries(values)) {
      await transaction
        .insertInto('settings')
        .values({ key, value, updated_at: timestamp })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({ value, updated_at: timestamp }),
        )
        .execute();
    }
  });
}

// Sessions -------------------------------------------------------------------

export interface ChatSessionFields {
  title: string;
  model: string;
  systemPrompt: string;
  character: string;
  userProfile: string;
  experiment: boolean;
  /** The session's ceiling on one reply's cost, USD; null: the server's default. */
  maxCostUsd?: number | null;
}

export async function insertChatSession(
  db: Kysely<Database>,
  args: ChatSessionFields & { id: string; userId: string; now: Date },
): Promise<ChatSessionRow> {
  const timestamp = args.now.toISOString();
  return db
    .insertInto('chat_sessions')
    .values({
      id: args.id,
      user_id: args.userId,
      title: args.title,
      model: args.model,
      system_prompt: args.systemPrompt,
      character: args.character,
      user_profile: args.userProfile,
      max_cost_usd: args.maxCostUsd ?? null,
      experiment: Number(args.experiment),
      created_at: timestamp,
      updated_at: timestamp,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The session with this id if `userId` owns it (another user's session is not found either). */
export async function findChatSession(
  db: Kysely<Database>,
  id: string,
  userId: string,
): Promise<ChatSessionRow | undefined> {
  return db
    .selectFrom('chat_sessions')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** A user's sessions, most recently active first. */
export async function listChatSessions(
  db: Kysely<Database>,
  userId: string,
  limit: number,
): Promise<ChatSessionRow[]> {
  return db
    .selectFrom('chat_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Updates one of the user's sessions; undefined when the user has no session with that id. */
export async function updateChatSession(
  db: Kysely<Database>,
  id: string,
  userId: string,
  fields: Partial<ChatSessionFields>,
  now: Date,
): Promise<ChatSessionRow | undefined> {
  return db
    .updateTable('chat_sessions')
    .set({
      ...(fields.title === undefined ? {} : { title: fields.title }),
      ...(fields.model === undefined ? {} : { model: fields.model }),
      ...(fields.systemPrompt === undefined ? {} : { system_prompt: fields.systemPrompt }),
      ...(fields.character === undefined ? {} : { character: fields.character }),
      ...(fields.userProfile === undefined ? {} : { user_profile: fields.userProfile }),
      ...(fields.experiment === undefined ? {} : { experiment: Number(fields.experiment) }),
      ...(fields.maxCostUsd === undefined ? {} : { max_cost_usd: fields.maxCostUsd }),
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes a session with its messages and artifacts; returns whether it existed. */
export async function deleteChatSession(
  db: Kysely<Database>,
  id: string,
  userId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('chat_sessions')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

// Messages -------------------------------------------------------------------

/** A session's messages in the order they were written. */
export async function listChatMessages(
  db: Kysely<Database>,
  sessionId: string,
): Promise<ChatMessageRow[]> {
  return db
    .selectFrom('chat_messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy(sql`rowid`)
    .execute();
}

export async function findChatMessage(
  db: Kysely<Database>,
  id: string,
): Promise<ChatMessageRow | undefined> {
  return db.selectFrom('chat_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The reply being written in a session, if any (at most one: a unique index sees to it). */
export async function findGeneratingReply(
  db: Kysely<Database>,
  sessionId: string,
): Promise<ChatMessageRow | undefined> {
  return db
    .selectFrom('chat_messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('status', '=', 'generating')
    .executeTakeFirst();
}

/** The reply that answers a user message, if any. */
export async function findReply(
  db: Kysely<Database>,
  userMessageId: string,
): Promise<ChatMessageRow | undefined> {
  return db
    .selectFrom('chat_messages')
    .selectAll()
    .where('reply_to', '=', userMessageId)
    .executeTakeFirst();
}

export async function findMessageByClientRequest(
  db: Kysely<Database>,
  sessionId: string,
  clientRequestId: string,
): Promise<ChatMessageRow | undefined> {
  return db
    .selectFrom('chat_messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('client_request_id', '=', clientRequestId)
    .executeTakeFirst();
}

export interface InsertChatTurnArgs {
  sessionId: string;
  /** The session's owner, who owns the new rows too. */
  userId: string;
  userMessage: { id: string; content: string; clientRequestId: string | null };
  /** `keySource`: which key pays for the reply (recorded, never the key). */
  assistantMessage: { id: string; model: string; keySource?: KeySource | null };
  /** Provisioned before the upstream call when the reply may carry an experiment. */
  artifactId: string | null;
  /** Units taken in the same transaction; a quota that ran out throws QuotaUnavailableError. */
  quotas?: readonly QuotaReservation[];
  now: Date;
}

/**
 * Takes the quota units and writes the user message, the assistant message (status `generating`) and any artifact
 * row in one transaction. The database refuses a second generating message in a session
 * (unique index): that surfaces as an error whose message names `chat_messages.session_id`.
 */
export async function insertChatTurn(
  db: Kysely<Database>,
  args: InsertChatTurnArgs,
): Promise<void> {
  const timestamp = args.now.toISOString();
  await db.transaction().execute(async (transaction) => {
    await reserveQuotas(transaction, args.userId, args.quotas ?? []);
    await transaction
      .insertInto('chat_messages')
      .values({
        id: args.userMessage.id,
        user_id: args.userId,
        session_id: args.sessionId,
        role: 'user',
        content: args.userMessage.content,

        client_request_id: args.userMessage.clientRequestId,
        created_at: timestamp,
        updated_at: timestamp,
      })
      .execute();
    await transaction
      .insertInto('chat_messages')
      .values({
        id: args.assistantMessage.id,
        user_id: args.userId,
        session_id: args.sessionId,
        role: 'assistant',
        status: 'generating',
        reply_to: args.userMessage.id,
        model: args.assistantMessage.model,
        key_source: args.assistantMessage.keySource ?? null,
        created_at: timestamp,
        updated_at: timestamp,
      })
      .execute();
    if (args.artifactId) {
      await transaction
        .insertInto('chat_artifacts')
        .values({
          id: args.artifactId,
          user_id: args.userId,
          session_id: args.sessionId,
          message_id: args.assistantMessage.id,
          created_at: timestamp,
          updated_at: timestamp,
        })
        .execute();
    }
    await transaction
      .updateTable('chat_sessions')
      .set({ updated_at: timestamp })
      .where('id', '=', args.sessionId)
      .execute();
  });
}

export function isOneGenerationPerSessionViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    /UNIQUE constraint failed: chat_messages\.session_id(?!,)/.test(error.message)
  );
}

export function isClientRequestViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    /UNIQUE constraint failed: chat_messages\.session_id, chat_messages\.client_request_id/.test(
      error.message,
    )
  );
}

/** Appends streamed text to generating replies (see appendContent). */
export function appendChatContent(
  db: Kysely<Database>,
  appends: readonly ContentAppend[],
  now: Date,
): Promise<void> {
  return appendContent(db, { table: 'chat_messages', column: 'content' }, appends, now);
}

export interface FinishChatMessageArgs extends GenerationOutcome {
  id: string;
  text: string;
  stats: {
    timeToFirstTokenMs: number | null;
    durationMs: number;
    chunks: number;
    characters: number;
  };
  /** The extracted experiment, or null to drop the provisioned artifact row. */
  artifact: { id: string; title: string; html: string } | null;
  provisionedArtifactId: string | null;
}

/** Moves a generating reply to its terminal state; returns false if it was not generating. */
export async function finishChatMessage(
  db: Kysely<Database>,
  args: FinishChatMessageArgs,
): Promise<boolean> {
  const timestamp = args.now.toISOString();
  return db.transaction().execute(async (transaction) => {
    const result = await transaction
      .updateTable('chat_messages')
      .set({
        ...outcomeColumns(args),
        content: args.text,
        time_to_first_token_ms: args.stats.timeToFirstTokenMs,
        duration_ms: args.stats.durationMs,
        chunks: args.stats.chunks,
        characters: args.stats.characters,
      })
      .where('id', '=', args.id)
      .where('status', '=', 'generating')
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    if (args.artifact) {
      await transaction
        .updateTable('chat_artifacts')
        .set({ title: args.artifact.title, html: args.artifact.html, updated_at: timestamp })
        .where('id', '=', args.artifact.id)
        .execute();
    } else if (args.provisionedArtifactId) {
      await transaction
        .deleteFrom('chat_artifacts')
        .where('id', '=', args.provisionedArtifactId)
        .execute();
    }
    return true;
  });
}

/** At boot: replies left `generating` by a dead process become `partial` (see recoverInterrupted). */
export function recoverInterruptedChatMessages(
  db: Kysely<Database>,
  args: { reason: string; now: Date },
): Promise<string[]> {
  return recoverInterrupted(db, 'chat_messages', args);
}

// Artifacts ------------------------------------------------------------------

export async function listChatArtifacts(
  db: Kysely<Database>,
  sessionId: string,
): Promise<ChatArtifactRow[]> {
  return db
    .selectFrom('chat_artifacts')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('created_at')
    .execute();
}

/** The artifact with this id if `userId` owns it. */
export async function findChatArtifact(
  db: Kysely<Database>,
  id: string,
  userId: string,
): Promise<ChatArtifactRow | undefined> {
  return db
    .selectFrom('chat_artifacts')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}
