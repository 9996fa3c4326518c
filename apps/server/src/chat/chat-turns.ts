import { randomUUID } from 'node:crypto';
import {
  type ChatMessageRow,
  type ChatSessionRow,
  findChatMessage,
  findGeneratingReply,
  findMessageByClientRequest,
  findReply,
  insertChatTurn,
  isClientRequestViolation,
  isOneGenerationPerSessionViolation,
  listChatArtifacts,
  listChatMessages,
  type SluiceDatabase,
} from '@sluice/db';
import type {
  ChatEventsInput,
  ChatSemanticEvent,
  GenerationStatus,
  SendChatMessageInput,
  SessionUpdatedEvent,
} from '@sluice/shared';
import type { Logger } from 'pino';
import { ConflictError, NotFoundError, PersistenceError } from '../errors';
import type { EventBus } from '../generation/event-bus';
import type { GenerationCluster } from '../generation/generation-cluster';
import type { GenerationEngine, GenerationMessage } from '../generation/generation-engine';
import type { GenerationSlot } from '../generation/generation-slots';
import type {
  GenerationOwner,
  GenerationSettings,
  GenerationStarter,
} from '../generation/generation-starter';
import { observeSession, type SessionMessage } from '../generation/observe-session';
import type { PushStream } from '../generation/push-stream';
import type { GenerationUpstream, ResolveUpstream } from '../provider-keys/generation-upstream';
import type { QuotaService } from '../quotas/quota-service';
import { currentRequestId } from '../request-context';
import { createChatDocumentTracker, messageStartEvent } from './chat-document';
import { buildChatRequest, composeChatMessages } from './chat-prompt';
import { type ChatSessions, chatTopic } from './chat-sessions';
import type { ChatStore } from './chat-store';
import { defaultSessionTitle } from './chat-titles';
import { type ChatMessageView, messageView } from './chat-views';

export interface ChatTurnsDependencies {
  db: SluiceDatabase;
  engine: GenerationEngine<ChatSemanticEvent>;
  bus: EventBus<GenerationMessage<ChatSemanticEvent>>;
  /** Session changes (`session-updated`) for every `chat.events` subscriber of the session. */
  sessionBus: EventBus<SessionUpdatedEvent>;
  /** Where replies are saved (the engine writes through it; events read it back). */
  store: ChatStore;
  /** Rate and capacity checks, quota settlement, waiting for a reply. */
  starter: GenerationStarter<ChatSemanticEvent>;
  /** Several instances: replies running on another instance are followed from their history. */
  cluster?: GenerationCluster<ChatSemanticEvent>;
  sessions: ChatSessions;
  config: GenerationSettings;
  logger: Logger;
  /** Which key (and so which upstream) pays for a generation started by a user. */
  resolveUpstream: ResolveUpstream;
  /** Per-user quotas, taken in the transaction that writes the turn. */
  quotas: QuotaService;
  newId?: () => string;
  now?: () => Date;
}

/** An experiment session asks for an HTML experiment while it has at most one prior turn. */
const experimentTurnLimit = 1;

type SendAnswer = {
  sessionId: string;
  userMessageId: string;
  messageId: string;
  artifactId: string | null;
  attached: boolean;
  message: ChatMessageView | null;
};

/** A chat's turns: send (or attach to the turn a retried send started), cancel, and events. */
export function createChatTurns(dependencies: ChatTurnsDependencies) {
  const { db, engine, bus, sessionBus, store, starter, sessions, config, logger } = dependencies;
  const { resolveUpstream, quotas } = dependencies;
  const newId = dependencies.newId ?? randomUUID;
  const now = dependencies.now ?? (() => new Date());

  /** Only reached with a message id from the caller's own session. */
  async function messageWithArtifact(messageId: string): Promise<ChatMessageView> {
    const row = await findChatMessage(db, messageId);
    if (!row) throw new NotFoundError(`No message with id ${messageId}`);
    const artifacts = await listChatArtifacts(db, row.session_id);
    return messageView(
      row,
      artifacts.find((artifact) => artifact.message_id === row.id)?.id ?? null,
      row.role === 'assistant' ? engine.get(row.id) : undefined,
    );
  }

  /** Waits for a reply to finish (the non-streaming path), counting as its watcher meanwhile. */
  async function awaitReply(
    messageId: string,
    sessionId: string,
    signal: AbortSignal,
  ): Promise<ChatMessageView> {
    await starter.awaitFinished(messageId, chatTopic(sessionId), signal);
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
    owner: GenerationOwner;
  }): void {
    const { session, userMessage, replyId, artifactId } = args;
    starter.start({
      id: replyId,
      topic: chatTopic(session.id),
      request: args.upstream.prepare(
        buildChatRequest({ ...config, model: session.model, messages: args.messages }),
      ),
      initialEvents: [messageStartEvent(userMessage, artifactId)],
      document: createChatDocumentTracker(artifactId),
      // Every line about the reply names it, its owner and the request that started it.
      logger: logger.child({
        generationId: replyId,
        sessionId: session.id,
        messageId: replyId,
        userId: args.owner.userId,
        requestId: currentRequestId(),
        model: session.model,
      }),
      slot: args.slot,
      owner: args.owner,
      costCeilingUsd: session.max_cost_usd ?? undefined,
    });
  }

  /** The turn a retried send with the same client request id belongs to. */
  async function existingTurn(sessionId: string, clientRequestId: string | undefined) {
    if (!clientRequestId) return undefined;
    const userMessage = await findMessageByClientRequest(db, sessionId, clientRequestId);
    const reply = userMessage ? await findReply(db, userMessage.id) : undefined;
    return userMessage && reply ? { userMessage, reply } : undefined;
  }

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
    const { answer, firstTurnOf } = await starter.withSlot(userId, (slot) =>
      saveTurnAndStart(userId, input, slot, signal),
    );
    if (firstTurnOf) await sessions.nameAfterFirstMessage(firstTurnOf, input.content);
    return input.stream === false && !answer.attached
      ? { ...answer, message: await awaitReply(answer.messageId, answer.sessionId, signal) }
      : answer;
  }

  async function saveTurnAndStart(
    userId: string,
    input: SendChatMessageInput,
    slot: GenerationSlot,
    signal: AbortSignal,
  ): Promise<{ answer: SendAnswer; firstTurnOf?: ChatSessionRow }> {
    const session = await sessions.requireSession(userId, input.sessionId);
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
          message:
            input.stream === false ? await awaitReply(turn.reply.id, session.id, signal) : null,
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
    const upstream = await resolveUpstream(userId, session.model);
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
    const settings = await sessions.getSettings(userId);
    startReply({
      session,
      userMessage,
      replyId,
      artifactId,
      slot,
      upstream,
      owner: { userId, reservations, remainingSpendUsd: await quotas.remainingSpend(userId) },
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

  return {
    send,

    /** Cancels the reply being written; answered calmly when there is nothing to cancel. */
    async cancel(
      userId: string,
      sessionId: string,
    ): Promise<{ cancelled: boolean; messageId: string | null; status: GenerationStatus | null }> {
      await sessions.requireSession(userId, sessionId);
      const active = await findGeneratingReply(db, sessionId);
      if (!active) return { cancelled: false, messageId: null, status: null };
      const outcome = await engine.cancel(active.id);
      if (outcome) {
        return {
          cancelled: outcome.cancelled,
          messageId: active.id,
          status: outcome.status,
        };
      }
      const status = ((await findChatMessage(db, active.id))?.status ??
        null) as GenerationStatus | null;
      return { cancelled: false, messageId: active.id, status };
    },

    /** Resolves the session first, so an unknown id fails before streaming starts. */
    async events(
      userId: string,
      input: ChatEventsInput,
      signal: AbortSignal,
    ): Promise<PushStream<SessionMessage<ChatSemanticEvent, SessionUpdatedEvent>>> {
      const session = await sessions.requireSession(userId, input.sessionId);
      return observeSession<ChatSemanticEvent, SessionUpdatedEvent>({
        bus,
        notices: sessionBus,
        topic: chatTopic(session.id),
        live: (messageId) => engine.get(messageId),
        cluster: dependencies.cluster,
        activeMessageId: async () => (await findGeneratingReply(db, session.id))?.id,
        loadStored: (messageId) => store.loadStored(messageId, session.id),
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
