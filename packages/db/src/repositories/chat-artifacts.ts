import type { Kysely } from 'kysely';
import type { ChatArtifactRow, Database } from '../schema';

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
