import type { Kysely } from 'kysely';
import type { ChatSessionRow, Database } from '../schema';

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
