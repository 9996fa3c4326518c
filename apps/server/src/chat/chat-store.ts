import {
  appendChatContent,
  findChatMessage,
  finishChatMessage,
  listChatArtifacts,
  recoverInterruptedChatMessages,
  type SluiceDatabase,
  saveBilledUsage,
} from '@sluice/db';
import type { ChatSemanticEvent, GenerationStatus } from '@sluice/shared';
import { savedOutcomeOf } from '../generation/generation-outcome';
import type { GenerationStore, StoredStream } from '../generation/generation-store';
import { type ChatDocument, storedMessageLog } from './chat-document';

export interface ChatStoreDependencies {
  db: SluiceDatabase;
  now?: () => Date;
}

export interface ChatStore extends GenerationStore<ChatSemanticEvent> {
  /** Like `loadStored`, but only a reply of this session (else undefined). */
  loadStored(id: string, sessionId?: string): Promise<StoredStream<ChatSemanticEvent> | undefined>;
}

/** Chat replies' generations in `chat_messages` and `chat_artifacts` (see GenerationStore). */
export function createChatStore(dependencies: ChatStoreDependencies): ChatStore {
  const { db } = dependencies;
  const now = dependencies.now ?? (() => new Date());
  return {
    // Replies do not record their upstream attempts.
    async markAttempt() {},
    append(appends) {
      return appendChatContent(db, appends, now());
    },
    finish(id, result) {
      const document = result.documentJson
        ? (JSON.parse(result.documentJson) as ChatDocument | null)
        : null;
      const artifactId = document?.artifactId ?? null;
      const artifact = document?.artifact ?? null;
      return finishChatMessage(db, {
        id,
        ...savedOutcomeOf(result),
        text: result.text,
        stats: {
          timeToFirstTokenMs: result.stats.timeToFirstTokenMs,
          durationMs: result.stats.durationMs,
          chunks: result.stats.chunks,
          characters: result.stats.characters,
        },
        artifact:
          artifact && artifactId
            ? { id: artifactId, title: artifact.title, html: artifact.html }
            : null,
        provisionedArtifactId: artifactId,
        now: now(),
      });
    },
    async loadStored(id, sessionId) {
      const reply = await findChatMessage(db, id);
      if (reply?.role !== 'assistant') return undefined;
      if (sessionId !== undefined && reply.session_id !== sessionId) return undefined;
      const userMessage = reply.reply_to ? await findChatMessage(db, reply.reply_to) : undefined;
      const artifact = (await listChatArtifacts(db, reply.session_id)).find(
        (row) => row.message_id === reply.id,
      );
      return {
        status: (reply.status ?? 'completed') as GenerationStatus,
        log: storedMessageLog(reply, userMessage, artifact?.id ?? null),
        document: null,
      };
    },
    saveBilledUsage(id, usage) {
      return saveBilledUsage(db, 'chat_messages', { id, usage, now: now() });
    },
    recover(reason, ids) {
      return recoverInterruptedChatMessages(db, { reason, now: now(), ids });
    },
  };
}
