import { randomUUID } from 'node:crypto';
import {
  type ChatArtifactRow,
  type ChatMessageRow,
  type ChatSessionRow,
  deleteChatSession,
  findChatArtifact,
  findChatMessage,
  findChatSession,
  findGeneratingReply,
  findMessageByClientRequest,
  findReply,
  finishChatMessage,
  insertChatSession,
  insertChatTurn,
  isClientRequestViolation,
  isOneGenerationPerSessionViolation,
  listChatArtifacts,
  listChatMessages,
  listChatSessions,
  type QuotaReservation,
  readSettings,
  readUserSettings,
  updateChatSession,
  writeSettings,
  writeUserSettings,
} from '@sluice/db';
import type {
  ChatEventsInput,
  ChatSemanticEvent,
  ChatSessionView,
  ChatSettings,
  CreateChatSessionInput,
  PlanStatus,
  SendChatMessageInput,
  SessionUpdatedEvent,
  StreamError,
  UpdateChatSessionInput,
} from '@sluice/shared';
import type { EventBus } from '../generation/event-bus';
import type { GenerationResult } from '../generation/generation-engine';
import type { GenerationSlot } from '../generation/generation-slots';
import { observeSession, type SessionMessage } from '../generation/observe-session';
import { storedStreamError } from '../generation/stored-outcome';
import type { GenerationUpstream } from '../provider-keys/generation-upstream';
import { currentRequestId } from '../request-context';
import { createChatDocumentTracker, messageStartEvent, storedMessageLog } from './chat-document';
import { buildChatRequest, composeChatMessages } from './chat-prompt';
import { ConflictError, NotFoundError, PersistenceError } from './errors';
import {
  failedBeforeFirstToken,
  type GenerationServiceDependencies,
  reserveGenerationSlot,
} from './generation-settings';

export type { ChatSessionView };

export interface ChatMessageView {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  /** Null for user messages. */
  status: PlanStatus | null;
  reason: string | null;
  error: StreamError | null;
  usage: { inputTokens: number; outputTokens: number; cost: number | null } | null;
  stats: {
    timeToFirstTokenMs: number | null;
    durationMs: number;
    chunks: number;
    characters: number;
  } | null;
  model: string | null;
  replyTo: string | null;
  artifactId: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface ChatArtifactView {
  id: string;
  messageId: string;
  title: string | null;
  html: string | null;
}

export interface ChatServiceDependencies extends GenerationServiceDependencies<ChatSemanticEvent> {
  /** Session changes (`session-updated`) for every `chat.events` subscriber of the session. */
  sessionBus: EventBus<SessionUpdatedEvent>;
}

export const chatTopic = (sessionId: string) => `chat:${sessionId}`;

const settingKeys = {
  preSystemPrompt: 'chat.pre_system_prompt',
  postSystemPrompt: 'chat.post_system_prompt',
} as const;

export const defaultSessionTitle = 'New chat';
const maximumTitleLength = 60;

/** A session still called "New chat" is named after its first message. */
export function titleFromMessage(content: string): string {
  const line = content.trim().split('\n')[0]?.replace(/\s+/g, ' ') ?? '';
  if (line.length <= maximumTitleLength) return line || defaultSessionTitle;
  const cut = line.slice(0, maximumTitleLength);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > 30 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/** An experiment session asks for an HTML experiment while it has at most one prior turn. */
const experimentTurnLimit = 1;

function sessionView(row: ChatSessionRow): ChatSessionView {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    systemPrompt: row.system_prompt,
    character: row.character,
    userProfile: row.user_profile,
    experiment: row.experiment === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function artifactView(row: ChatArtifactRow): ChatArtifactView {
  return { id: row.id, messageId: row.message_id, title: row.title, html: row.html };
}

export function createChatService(dependencies: ChatServiceDependencies) {
  const { db, engine, bus, sessionBus, config, slots, logger, resolveUpstream, quotas, startRate } =
    dependencies;
  const newId = dependencies.newId ?? randomUUID;
  const isOverloaded = dependencies.isOverloaded ?? (() => false);
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

  function settingValues(input: Partial<ChatSettings>): Record<string, string> {
    const values: Record<string, string> = {};
    if (input.preSystemPrompt !== undefined)
      values[settingKeys.preSystemPrompt] = input.preSystemPrompt;
    if (input.postSystemPrompt !== undefined)
      values[settingKeys.postSystemPrompt] = input.postSystemPrompt;
    return values;
  }

  function messageView(row: ChatMessageRow, artifactId: string | null): ChatMessageView {
    const live = row.role === 'assistant' ? engine.get(row.id) : undefined;
    return {
      id: row.id,
      role: row.role,
      content: live ? live.log.content() : row.content,
      status: live ? 'generating' : (row.status as PlanStatus | null),
      reason: row.status_reason,
      error: storedStreamError(row) ?? null,
      usage:
        row.input_tokens !== null && row.output_tokens !== null
          ? { inputTokens: row.input_tokens, outputTokens: row.output_tokens, cost: row.cost }
          : null,
      stats:
        row.duration_ms !== null
          ? {
              timeToFirstTokenMs: row.time_to_first_token_ms,
              durationMs: row.duration_ms,
              chunks: row.chunks ?? 0,
              characters: row.characters ?? 0,
            }
          : null,
      model: row.model,
      replyTo: row.reply_to,
      artifactId,
      createdAt: row.created_at,
      completedAt: row.completed_at,
    };
  }

  /** Only reached with a message id from the caller's own session. */
  async function messageWithArtifact(messageId: string): Promise<ChatMessageView> {
    const row = await findChatMessage(db, messageId);
    if (!row) throw new NotFoundError(`No message with id ${messageId}`);
    const artifacts = await listChatArtifacts(db, row.session_id);
    return messageView(
      row,
      artifacts.find((artifact) => artifact.message_id === row.id)?.id ?? null,
    );
  }

  /** Waits for a reply to finish (the non-streaming path), counting as its watcher meanwhile. */
  async function awaitReply(messageId: string, signal: AbortSignal): Promise<ChatMessageView> {
    const generation = engine.get(messageId);
    if (generation) {
      const release = generation.attach();
      signal.addEventListener('abort', release, { once: true });
      try {
        await generation.done;
      } finally {
        signal.removeEventListener('abort', release);
        release();
      }
    }
    return messageWithArtifact(messageId);
  }

  /** Starts the engine run, which owns `slot` from then on (released when it finishes). */
  function startReply(args: {
    session: ChatSessionRow;
    userMessage: ChatMessageRow;
    replyId: string;
    artifactId: string | null;
    messages: ReturnType<typeof composeChatMessages>;
    slot: GenerationSlot;
    upstream: GenerationUpstream;
    owner: { userId: string; reservations: readonly QuotaReservation[] };
  }): void {
    const { session, userMessage, replyId, artifactId } = args;
    // Every line about the reply names it, its owner and the request that started it.
    const replyLogger = logger.child({
      generationId: replyId,
      sessionId: session.id,
      messageId: replyId,
      userId: args.owner.userId,
      requestId: currentRequestId(),
      model: session.model,
    });
    const document = createChatDocumentTracker(artifactId);
    engine.start({
      id: replyId,
      topic: chatTopic(session.id),
      request: args.upstream.prepare(
        buildChatRequest({ ...config, model: session.model, messages: args.messages }),
      ),
      initialEvents: [messageStartEvent(userMessage, artifactId)],
      document,
      logger: replyLogger,
      slot: args.slot,
      async onFinish(result: GenerationResult) {
        const artifact = document.artifact();
        await finishChatMessage(db, {
          id: replyId,
          status: result.status,
          reason: result.reason ?? null,
          text: result.text,
          error: result.error ?? null,
          usage: result.usage
            ? {
                inputTokens: result.usage.inputTokens,
                outputTokens: result.usage.outputTokens,
                cost: result.usage.cost ?? null,
              }
            : null,
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
        await quotas
          .settle(args.owner.userId, args.owner.reservations, {
            failedBeforeFirstToken: failedBeforeFirstToken(result),
            cost: result.usage?.cost ?? null,
          })
          .catch((error: unknown) =>
            replyLogger.error({ err: error }, 'could not settle the quota'),
          );
      },
    });
  }

  /** The turn a retried send with the same client request id belongs to. */
  async function existingTurn(sessionId: string, clientRequestId: string | undefined) {
    if (!clientRequestId) return undefined;
    const userMessage = await findMessageByClientRequest(db, sessionId, clientRequestId);
    const reply = userMessage ? await findReply(db, userMessage.id) : undefined;
    return userMessage && reply ? { userMessage, reply } : undefined;
  }

  type SendAnswer = {
    sessionId: string;
    userMessageId: string;
    messageId: string;
    artifactId: string | null;
    attached: boolean;
    message: ChatMessageView | null;
  };

  /**
   * Saves the turn and starts its reply. The slot is reserved before the first `await` (so a
   * batch of sends cannot overshoot MAX_ACTIVE_GENERATIONS) and given back on every path that
   * starts nothing: unknown session, a retry that attaches, a conflict, a failed write.
   */
  async function send(
    userId: string,
    input: SendChatMessageInput,
    signal: AbortSignal,
  ): Promise<SendAnswer> {
    await startRate.consume(userId);
    const slot = reserveGenerationSlot(slots, isOverloaded);
    let started: { answer: SendAnswer; firstTurnOf?: ChatSessionRow };
    try {
      started = await saveTurnAndStart(userId, input, slot, signal);
    } catch (error) {
      slot.release();
      throw error;
    }
    const { answer, firstTurnOf } = started;
    if (firstTurnOf) await nameAfterFirstMessage(firstTurnOf, input.content);
    return input.stream === false && !answer.attached
      ? { ...answer, message: await awaitReply(answer.messageId, signal) }
      : answer;
  }

  async function saveTurnAndStart(
    userId: string,
    input: SendChatMessageInput,
    slot: GenerationSlot,
    signal: AbortSignal,
  ): Promise<{ answer: SendAnswer; firstTurnOf?: ChatSessionRow }> {
    const session = await requireSession(userId, input.sessionId);
    const attach = async (turn: { userMessage: ChatMessageRow; reply: ChatMessageRow }) => {
      // Nothing new starts: the reply this request already started keeps its own slot.
      slot.release();
      const artifacts = await listChatArtifacts(db, session.id);
      const artifactId =
        artifacts.find((artifact) => artifact.message_id === turn.reply.id)?.id ?? null;
      return {
        answer: {
          sessionId: session.id,
          userMessageId: turn.userMessage.id,
          messageId: turn.reply.id,
          artifactId,
          attached: true,
          message: input.stream === false ? await awaitReply(turn.reply.id, signal) : null,
        },
      };
    };
    const existing = await existingTurn(session.id, input.clientRequestId);
    if (existing) return attach(existing);

    const history = await listChatMessages(db, session.id);
    const priorTurns = history.filter((message) => message.role === 'user').length;
    const artifactId =
      session.experiment === 1 && priorTurns <= experimentTurnLimit ? newId() : null;
    const userMessageId = newId();
    const replyId = newId();
    const upstream = await resolveUpstream(userId);
    const reservations = await quotas.reservationsFor(userId, 'reply');
    // Persist before spending: both messages (and the artifact id) exist before the upstream call.
    try {
      await insertChatTurn(db, {
        sessionId: session.id,
        userId,
        userMessage: {
          id: userMessageId,
          content: input.content,
          clientRequestId: input.clientRequestId ?? null,
        },
        assistantMessage: { id: replyId, model: session.model, keySource: upstream.keySource },
        artifactId,
        quotas: reservations,
        now: now(),
      });
    } catch (error) {
      const refusal = quotas.refusalFor(error);
      if (refusal) throw refusal;
      if (isClientRequestViolation(error)) {
        const raced = await existingTurn(session.id, input.clientRequestId);
        if (raced) return attach(raced);
      }
      if (isOneGenerationPerSessionViolation(error)) {
        throw new ConflictError(
          'A reply is already being written in this session: stop it or wait for it to finish',
        );
      }
      logger.error({ err: error, sessionId: session.id }, 'could not save the message');
      throw new PersistenceError(
        'Could not save your message, so nothing was sent to the model. Try again.',
        { cause: error },
      );
    }
    const userMessage = await findChatMessage(db, userMessageId);
    if (!userMessage) throw new Error(`The message ${userMessageId} was not saved`);
    const settings = await getSettings(userId);
    startReply({
      session,
      userMessage,
      replyId,
      artifactId,
      slot,
      upstream,
      owner: { userId, reservations },
      messages: composeChatMessages({
        parts: {
          ...settings,
          systemPrompt: session.system_prompt,
          character: session.character,
          userProfile: session.user_profile,
        },
        history: history.map((message) => ({ role: message.role, content: message.content })),
        content: input.content,
        experiment: artifactId !== null,
      }),
    });
    return {
      answer: {
        sessionId: session.id,
        userMessageId,
        messageId: replyId,
        artifactId,
        attached: false,
        message: null,
      },
      firstTurnOf: priorTurns === 0 && session.title === defaultSessionTitle ? session : undefined,
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
        model: input.model ?? config.defaultModel,
        systemPrompt: input.systemPrompt ?? '',
        character: input.character ?? '',
        userProfile: input.userProfile ?? '',
        experiment: input.experiment ?? false,
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
          messageView(message, artifactByMessage.get(message.id) ?? null),
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

    send,

    /** Cancels the reply being written; answered calmly when there is nothing to cancel. */
    async cancel(
      userId: string,
      sessionId: string,
    ): Promise<{ cancelled: boolean; messageId: string | null; status: PlanStatus | null }> {
      await requireSession(userId, sessionId);
      const active = await findGeneratingReply(db, sessionId);
      if (!active) return { cancelled: false, messageId: null, status: null };
      const outcome = await engine.cancel(active.id);
      if (outcome) {
        return {
          cancelled: outcome.cancelled,
          messageId: active.id,
          status: outcome.result.status,
        };
      }
      const status = ((await findChatMessage(db, active.id))?.status ?? null) as PlanStatus | null;
      return { cancelled: false, messageId: active.id, status };
    },

    async getArtifact(userId: string, artifactId: string): Promise<ChatArtifactView> {
      const row = await findChatArtifact(db, artifactId, userId);
      if (!row) throw new NotFoundError(`No artifact with id ${artifactId}`);
      return artifactView(row);
    },

    /** Resolves the session first, so an unknown id fails before streaming starts. */
    async events(
      userId: string,
      input: ChatEventsInput,
      signal: AbortSignal,
    ): Promise<AsyncGenerator<SessionMessage<ChatSemanticEvent, SessionUpdatedEvent>>> {
      const session = await requireSession(userId, input.sessionId);
      const loadReply = async (messageId: string) => {
        const reply = await findChatMessage(db, messageId);
        return reply && reply.session_id === session.id && reply.role === 'assistant'
          ? reply
          : undefined;
      };
      return observeSession<ChatSemanticEvent, SessionUpdatedEvent>({
        bus,
        notices: sessionBus,
        topic: chatTopic(session.id),
        live: (messageId) => engine.get(messageId),
        activeMessageId: async () => (await findGeneratingReply(db, session.id))?.id,
        async loadStored(messageId) {
          const reply = await loadReply(messageId);
          if (!reply) return undefined;
          const userMessage = reply.reply_to
            ? await findChatMessage(db, reply.reply_to)
            : undefined;
          const artifact = (await listChatArtifacts(db, session.id)).find(
            (row) => row.message_id === reply.id,
          );
          return {
            status: (reply.status ?? 'completed') as PlanStatus,
            log: storedMessageLog(reply, userMessage, artifact?.id ?? null),
          };
        },
        async repliesAfter(messageId) {
          const messages = await listChatMessages(db, session.id);
          const index = messages.findIndex((message) => message.id === messageId);
          return index === -1
            ? []
            : messages
                .slice(index + 1)
                .filter((message) => message.role === 'assistant')
                .map((message) => message.id);
        },
        lastEventId: input.lastEventId,
        signal,
      });
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
