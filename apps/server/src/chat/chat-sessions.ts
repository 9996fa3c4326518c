import { randomUUID } from 'node:crypto';
import {
  type ChatSessionRow,
  deleteChatSession,
  findChatArtifact,
  findChatSession,
  findGeneratingReply,
  insertChatSession,
  listChatArtifacts,
  listChatMessages,
  listChatSessions,
  readSettings,
  readUserSettings,
  type SluiceDatabase,
  updateChatSession,
  writeSettings,
  writeUserSettings,
} from '@sluice/db';
import type {
  ChatSemanticEvent,
  ChatSessionView,
  ChatSettings,
  CreateChatSessionInput,
  SessionUpdatedEvent,
  UpdateChatSessionInput,
} from '@sluice/shared';
import type { Logger } from 'pino';
import { NotFoundError } from '../errors';
import type { EventBus } from '../generation/event-bus';
import type { GenerationEngine } from '../generation/generation-engine';
import { defaultSessionTitle, titleFromMessage } from './chat-titles';
import { artifactView, type ChatArtifactView, messageView, sessionView } from './chat-views';

export interface ChatSessionsDependencies {
  db: SluiceDatabase;
  engine: GenerationEngine<ChatSemanticEvent>;
  /** Session changes (`session-updated`) for every `chat.events` subscriber of the session. */
  sessionBus: EventBus<SessionUpdatedEvent>;
  /** The model a session gets when it names none. */
  defaultModel: string;
  logger: Logger;
  newId?: () => string;
  now?: () => Date;
}

export const chatTopic = (sessionId: string) => `chat:${sessionId}`;

const settingKeys = {
  preSystemPrompt: 'chat.pre_system_prompt',
  postSystemPrompt: 'chat.post_system_prompt',
} as const;

function settingValues(input: Partial<ChatSettings>): Record<string, string> {
  const values: Record<string, string> = {};
  if (input.preSystemPrompt !== undefined)
    values[settingKeys.preSystemPrompt] = input.preSystemPrompt;
  if (input.postSystemPrompt !== undefined)
    values[settingKeys.postSystemPrompt] = input.postSystemPrompt;
  return values;
}

/** Chat sessions, their settings and artifacts: everything of chat but its turns. */
export function createChatSessions(dependencies: ChatSessionsDependencies) {
  const { db, engine, sessionBus, logger } = dependencies;
  const newId = dependencies.newId ?? randomUUID;
  const now = dependencies.now ?? (() => new Date());

  /** Tells every subscriber of the session (other tabs, other apps) that it changed. */
  function publishSession(row: ChatSessionRow): void {
    sessionBus.publish(chatTopic(row.id), { type: 'session-updated', session: sessionView(row) });
  }

  /** The caller's session; another user's session is "not found", exactly like a missing one. */
  async function requireSession(userId: string, sessionId: string): Promise<ChatSessionRow> {
    const row = await findChatSession(db, sessionId, userId);
    if (!row) throw new NotFoundError(`No chat session with id ${sessionId}`);
    return row;
  }

  /** The admin-set defaults (the app-wide `settings` rows; before accounts, the global prompts). */
  async function getDefaultSettings(): Promise<ChatSettings> {
    const values = await readSettings(db, Object.values(settingKeys));
    return {
      preSystemPrompt: values.get(settingKeys.preSystemPrompt) ?? '',
      postSystemPrompt: values.get(settingKeys.postSystemPrompt) ?? '',
    };
  }

  /** The user's own prompts, each falling back to the admin's default while the user set none. */
  async function getSettings(userId: string): Promise<ChatSettings> {
    const [defaults, own] = await Promise.all([
      getDefaultSettings(),
      readUserSettings(db, userId, Object.values(settingKeys)),
    ]);
    return {
      preSystemPrompt: own.get(settingKeys.preSystemPrompt) ?? defaults.preSystemPrompt,
      postSystemPrompt: own.get(settingKeys.postSystemPrompt) ?? defaults.postSystemPrompt,
    };
  }

  /** A session still called "New chat" takes its first message as its title. */
  async function nameAfterFirstMessage(session: ChatSessionRow, content: string): Promise<void> {
    try {
      const row = await updateChatSession(
        db,
        session.id,
        session.user_id ?? '',
        { title: titleFromMessage(content) },
        now(),
      );
      if (row) publishSession(row);
    } catch (error) {
      // The reply is running; only its title is missing.
      logger.error({ err: error, sessionId: session.id }, 'could not name the session');
    }
  }

  return {
    requireSession,
    nameAfterFirstMessage,
    getSettings,

    /** Sets the user's own prompts (what getSettings returns from then on). */
    async updateSettings(userId: string, input: Partial<ChatSettings>): Promise<ChatSettings> {
      await writeUserSettings(db, userId, settingValues(input), now());
      return getSettings(userId);
    },

    getDefaultSettings,

    /** The admin's defaults, for every user who has not set their own. */
    async updateDefaultSettings(input: Partial<ChatSettings>): Promise<ChatSettings> {
      await writeSettings(db, settingValues(input), now());
      return getDefaultSettings();
    },

    async createSession(userId: string, input: CreateChatSessionInput): Promise<ChatSessionView> {
      const row = await insertChatSession(db, {
        id: newId(),
        userId,
        title: input.title ?? defaultSessionTitle,
        model: input.model ?? dependencies.defaultModel,
        systemPrompt: input.systemPrompt ?? '',
        character: input.character ?? '',
        userProfile: input.userProfile ?? '',
        experiment: input.experiment ?? false,
        maxCostUsd: input.maxCostUsd ?? null,
        now: now(),
      });
      return sessionView(row);
    },

    async listSessions(userId: string, limit = 50): Promise<ChatSessionView[]> {
      return (await listChatSessions(db, userId, limit)).map(sessionView);
    },

    async getSession(userId: string, sessionId: string) {
      const session = await requireSession(userId, sessionId);
      const [messages, artifacts] = await Promise.all([
        listChatMessages(db, sessionId),
        listChatArtifacts(db, sessionId),
      ]);
      const artifactByMessage = new Map(
        artifacts.map((artifact) => [artifact.message_id, artifact.id]),
      );
      return {
        session: sessionView(session),
        messages: messages.map((message) =>
          messageView(
            message,
            artifactByMessage.get(message.id) ?? null,
            message.role === 'assistant' ? engine.get(message.id) : undefined,
          ),
        ),
        artifacts: artifacts.map(artifactView),
      };
    },

    async updateSession(userId: string, input: UpdateChatSessionInput): Promise<ChatSessionView> {
      const { sessionId, ...fields } = input;
      const row = await updateChatSession(db, sessionId, userId, fields, now());
      if (!row) throw new NotFoundError(`No chat session with id ${sessionId}`);
      publishSession(row);
      return sessionView(row);
    },

    /** Deletes a session; a reply being written in it is cancelled first. */
    async deleteSession(userId: string, sessionId: string): Promise<{ deleted: boolean }> {
      const session = await findChatSession(db, sessionId, userId);
      if (!session) return { deleted: false };
      const active = await findGeneratingReply(db, session.id);
      if (active) await engine.cancel(active.id);
      return { deleted: await deleteChatSession(db, session.id, userId) };
    },

    async getArtifact(userId: string, artifactId: string): Promise<ChatArtifactView> {
      const row = await findChatArtifact(db, artifactId, userId);
      if (!row) throw new NotFoundError(`No artifact with id ${artifactId}`);
      return artifactView(row);
    },
  };
}

export type ChatSessions = ReturnType<typeof createChatSessions>;
