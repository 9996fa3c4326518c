import { type Kysely, sql } from 'kysely';
import { databaseEngine } from '../database';
import type { ChatMessageRow, ChatMessagesTable, Database, KeySource } from '../schema';
import { appendContent, type ContentAppend } from './content-appends';
import { type GenerationOutcome, outcomeColumns, recoverInterrupted } from './generation-outcome';
import { type QuotaReservation, reserveQuotas } from './quotas';

/**
 * Every column of a message row, on both engines. PostgreSQL's table has one more,
 * `position` (insertion order, where SQLite has its rowid), which no row carries.
 */
const chatMessageColumns = Object.keys({
  id: true,
  user_id: true,
  session_id: true,
  role: true,
  content: true,
  status: true,
  status_reason: true,
  reply_to: true,
  client_request_id: true,
  model: true,
  error_code: true,
  error_message: true,
  error_retryable: true,
  input_tokens: true,
  output_tokens: true,
  cost: true,
  cost_source: true,
  upstream_id: true,
  time_to_first_token_ms: true,
  duration_ms: true,
  chunks: true,
  characters: true,
  key_source: true,
  created_at: true,
  updated_at: true,
  completed_at: true,
} satisfies Record<keyof ChatMessagesTable, true>) as (keyof ChatMessagesTable)[];

function selectChatMessages(db: Kysely<Database>) {
  return db.selectFrom('chat_messages').select(chatMessageColumns);
}

/** A session's messages in the order they were written. */
export async function listChatMessages(
  db: Kysely<Database>,
  sessionId: string,
): Promise<ChatMessageRow[]> {
  return selectChatMessages(db)
    .where('session_id', '=', sessionId)
    .orderBy(databaseEngine(db) === 'postgres' ? sql`position` : sql`rowid`)
    .execute();
}

export async function findChatMessage(
  db: Kysely<Database>,
  id: string,
): Promise<ChatMessageRow | undefined> {
  return selectChatMessages(db).where('id', '=', id).executeTakeFirst();
}

/** The reply being written in a session, if any (at most one: a unique index sees to it). */
export async function findGeneratingReply(
  db: Kysely<Database>,
  sessionId: string,
): Promise<ChatMessageRow | undefined> {
  return selectChatMessages(db)
    .where('session_id', '=', sessionId)
    .where('status', '=', 'generating')
    .executeTakeFirst();
}

/** The reply that answers a user message, if any. */
export async function findReply(
  db: Kysely<Database>,
  userMessageId: string,
): Promise<ChatMessageRow | undefined> {
  return selectChatMessages(db).where('reply_to', '=', userMessageId).executeTakeFirst();
}

export async function findMessageByClientRequest(
  db: Kysely<Database>,
  sessionId: string,
  clientRequestId: string,
): Promise<ChatMessageRow | undefined> {
  return selectChatMessages(db)
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

/** PostgreSQL's unique_violation, naming the index (SQLite names the columns instead). */
function violatesPostgresIndex(error: unknown, index: string): boolean {
  const details = error as { code?: unknown; constraint?: unknown };
  return details.code === '23505' && details.constraint === index;
}

/** The database refused a second generating reply in a session (index chat_messages_one_generating). */
export function isOneGenerationPerSessionViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    (violatesPostgresIndex(error, 'chat_messages_one_generating') ||
      /UNIQUE constraint failed: chat_messages\.session_id(?!,)/.test(error.message))
  );
}

/** The database refused a client request id used before in the session (chat_messages_client_request). */
export function isClientRequestViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    (violatesPostgresIndex(error, 'chat_messages_client_request') ||
      /UNIQUE constraint failed: chat_messages\.session_id, chat_messages\.client_request_id/.test(
        error.message,
      ))
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
  args: { reason: string; now: Date; ids?: readonly string[] },
): Promise<string[]> {
  return recoverInterrupted(db, 'chat_messages', args);
}
