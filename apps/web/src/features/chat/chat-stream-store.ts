import type { CostSource } from '@sluice/shared';
import {
  type ChatEvent,
  type GenerationStatus,
  parseMessageEventId,
  type StreamError,
} from '@sluice/shared';
import type { ConnectionMode } from '../../lib/connection-fallback';
import { createFrameStore, type Schedule, type SnapshotSource } from '../../lib/frame-store';
import type { ChatArtifactView, ChatMessageView, ChatSessionDetail } from './chat-types';

export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
  cost: number | null;
  /** `billed`, `computed` or `estimated` (while streaming, or a stop before the bill). */
  costSource?: CostSource | null;
}

export interface ChatStats {
  timeToFirstTokenMs: number | null;
  durationMs: number;
  chunks: number;
  characters: number;
}

/** Why an optimistic message is not on the server (yet). */
export interface SendFailure {
  message: string;
  /**
   * The request got no answer: the server may have the message after all, so a retry
   * reuses the same `clientRequestId` (and attaches to the reply it started, if any).
   */
  network: boolean;
}

/** One message as the page shows it. Immutable: a change makes a new object. */
export interface ChatMessage {
  /** Stable React key: an optimistic message keeps its key once the server confirms it. */
  key: string;
  /** The server's id; `pending:<clientRequestId>` until an optimistic message is confirmed. */
  id: string;
  role: 'user' | 'assistant';
  /** Exactly the text so far (for a reply: every delta, appended in order). */
  content: string;
  /** Null for user messages. */
  status: GenerationStatus | null;
  reason: string | null;
  error: StreamError | null;
  usage: ChatUsage | null;
  stats: ChatStats | null;
  model: string | null;
  replyTo: string | null;
  /** Set when the reply may carry an HTML experiment. */
  artifactId: string | null;
  /** The experiment's title from `artifact-end`. */
  artifactTitle: string | null;
  createdAt: string | null;
  /** Shown before the server confirmed it (`data-pending="true"`). */
  pending: boolean;
  clientRequestId: string | null;
  sendFailure: SendFailure | null;
}

/** What React renders: rebuilt at most once per animation frame; unchanged messages are reused. */
export interface ChatStreamSnapshot {
  messages: readonly ChatMessage[];
  /** The reply being written, if any. */
  streamingMessageId: string | null;
  /** Artifacts by id: from `chat.getSession` and `chat.getArtifact` (html null until saved). */
  artifacts: ReadonlyMap<string, ChatArtifactView>;
  /** The latest `artifact-end` that arrived over the stream (the page opens it), counted. */
  artifactEnd: { artifactId: string; title: string; sequence: number } | null;
  /** The session's messages have been loaded at least once. */
  loaded: boolean;
  connection: ConnectionMode;
  everLive: boolean;
  notFound: boolean;
}

/**
 * What a reload needs to resume exactly: the last event id and the reply it points into,
 * with the content that id covers. Earlier replies come from `chat.getSession`.
 */
export interface ChatResumeState {
  lastEventId: string;
  message: ChatMessage;
}

export interface ChatStreamStoreOptions {
  resume?: ChatResumeState | null;
  /** Runs the publication later; `requestAnimationFrame` in the browser. */
  schedule?: Schedule;
}

/** How `applySession` treats a reply both sides have while it is being written. */
export type SessionApplyMode =
  /** A check alongside the live stream: keep what the stream brought. */
  | 'merge'
  /** The polling fallback: the server's content replaces ours. */
  | 'replace';

export interface ChatStreamStore extends SnapshotSource<ChatStreamSnapshot> {
  /** Applies one event of `chat.events`: snapshot replaces, text-delta appends (per message). */
  apply(id: string | undefined, event: ChatEvent): void;
  /** Applies a `chat.getSession` answer. */
  applySession(view: ChatSessionDetail, mode: SessionApplyMode): void;
  /** Shows the user's message at once, before the server has it. */
  addOptimistic(message: { clientRequestId: string; content: string; createdAt?: string }): void;
  /** `chat.send` answered: the optimistic message becomes the saved one, its reply appears. */
  confirmSend(
    clientRequestId: string,
    answer: { userMessageId: string; messageId: string; artifactId: string | null },
  ): void;
  failSend(clientRequestId: string, failure: SendFailure | null): void;
  removeOptimistic(clientRequestId: string): void;
  setArtifact(artifact: ChatArtifactView): void;
  setConnection(connection: ConnectionMode): void;
  setNotFound(): void;
  readonly lastEventId: string | null;
  /** Counts replacements by polling, so a subscription opened before one can tell. */
  readonly pollReplacements: number;
  /** A reply is being written. */
  readonly streaming: boolean;
  resumeState(): ChatResumeState | null;
}

export function isEnded(message: Pick<ChatMessage, 'role' | 'status'>): boolean {
  return message.role === 'assistant' && message.status !== null && message.status !== 'generating';
}

function newReply(id: string, fields: Partial<ChatMessage> = {}): ChatMessage {
  return {
    key: id,
    id,
    role: 'assistant',
    content: '',
    status: 'generating',
    reason: null,
    error: null,
    usage: null,
    stats: null,
    model: null,
    replyTo: null,
    artifactId: null,
    artifactTitle: null,
    createdAt: null,
    pending: false,
    clientRequestId: null,
    sendFailure: null,
    ...fields,
  };
}

function fromView(view: ChatMessageView, previous: ChatMessage | undefined): ChatMessage {
  return {
    key: previous?.key ?? view.id,
    id: view.id,
    role: view.role,
    content: view.content,
    status: view.role === 'assistant' ? (view.status ?? 'completed') : null,
    reason: view.reason,
    error: view.error,
    usage: view.usage,
    stats: view.stats,
    model: view.model,
    replyTo: view.replyTo,
    artifactId: view.artifactId,
    artifactTitle: previous?.artifactTitle ?? null,
    createdAt: view.createdAt,
    pending: false,
    clientRequestId: previous?.clientRequestId ?? null,
    sendFailure: null,
  };
}

/**
 * The event → state logic of one chat session. Events go into per-message records (a
 * delta appends to one string; nothing else per token); React gets an immutable snapshot
 * at most once per animation frame, reusing the objects of messages that did not change.
 */
export function createChatStreamStore(options: ChatStreamStoreOptions = {}): ChatStreamStore {
  const records = new Map<string, ChatMessage>();
  let order: string[] = [];
  const artifacts = new Map<string, ChatArtifactView>();
  /** The copy React sees, made again only when an artifact changed. */
  let artifactsView: ReadonlyMap<string, ChatArtifactView> = new Map();
  let artifactsChanged = false;
  let artifactEnd: ChatStreamSnapshot['artifactEnd'] = null;
  let lastEventId: string | null = null;
  let loaded = false;
  let connection: ConnectionMode = 'reconnecting';
  let everLive = false;
  let notFound = false;
  let pollReplacements = 0;

  if (options.resume) {
    const { message } = options.resume;
    records.set(message.id, message);
    order.push(message.id);
    lastEventId = options.resume.lastEventId;
  }

  const frames = createFrameStore(build, options.schedule);

  function build(): ChatStreamSnapshot {
    if (artifactsChanged) {
      artifactsChanged = false;
      artifactsView = new Map(artifacts);
    }
    const messages: ChatMessage[] = [];
    let streamingMessageId: string | null = null;
    for (const id of order) {
      const message = records.get(id);
      if (!message) continue;
      messages.push(message);
      if (message.role === 'assistant' && message.status === 'generating') {
        streamingMessageId = message.id;
      }
    }
    return {
      messages,
      streamingMessageId,
      artifacts: artifactsView,
      artifactEnd,
      loaded,
      connection,
      everLive,
      notFound,
    };
  }

  function update(id: string, fields: Partial<ChatMessage>): void {
    const message = records.get(id);
    if (message) records.set(id, { ...message, ...fields });
  }

  /** Gives a message a new id (an optimistic message confirmed), keeping its place and key. */
  function rename(from: string, to: string, fields: Partial<ChatMessage>): void {
    const message = records.get(from);
    if (!message) return;
    records.delete(from);
    records.set(to, { ...message, ...fields, id: to });
    order = order.map((id) => (id === from ? to : id));
  }

  function remove(id: string): void {
    records.delete(id);
    order = order.filter((other) => other !== id);
  }

  function pendingWithContent(content: string): ChatMessage | undefined {
    for (const id of order) {
      const message = records.get(id);
      if (message?.pending && message.content === content) return message;
    }
    return undefined;
  }

  function byClientRequestId(clientRequestId: string): ChatMessage | undefined {
    for (const message of records.values()) {
      if (message.clientRequestId === clientRequestId) return message;
    }
    return undefined;
  }

  /** Puts a reply right after the user message it answers (both appended when new). */
  function place(userId: string | null, replyId: string): void {
    const hasReply = order.includes(replyId);
    if (userId !== null && !order.includes(userId)) {
      if (hasReply) order.splice(order.indexOf(replyId), 0, userId);
      else order.push(userId);
    }
    if (!hasReply) order.push(replyId);
  }

  /** The user message a reply answers: the confirmed optimistic one, or a message another tab sent. */
  function reconcileUser(user: { id: string; content: string; createdAt: string }): void {
    const existing = records.get(user.id);
    const optimistic = pendingWithContent(user.content);
    if (!existing) {
      if (optimistic) {
        rename(optimistic.id, user.id, {
          pending: false,
          sendFailure: null,
          content: user.content,
          createdAt: user.createdAt,
        });
        return;
      }
      records.set(user.id, {
        ...newReply(user.id),
        role: 'user',
        status: null,
        content: user.content,
        createdAt: user.createdAt,
      });
      return;
    }
    if (existing.pending) update(user.id, { pending: false, sendFailure: null });
    // The server's copy arrived first (from chat.getSession): the optimistic one goes.
    else if (optimistic && optimistic.id !== user.id) remove(optimistic.id);
  }

  function applyToReply(messageId: string, event: ChatEvent): void {
    let reply = records.get(messageId);
    if (!reply) {
      reply = newReply(messageId);
      records.set(messageId, reply);
      place(null, messageId);
    }
    if (event.type === 'snapshot') {
      update(messageId, {
        content: event.content,
        status: event.status,
        ...(event.status === 'generating' ? { reason: null, error: null } : {}),
      });
      return;
    }
    // The server's final version is already here (chat.getSession): the rest of its
    // stream only repeats it.
    if (isEnded(reply)) return;
    switch (event.type) {
      case 'text-delta':
        update(messageId, { content: reply.content + event.text });
        break;
      case 'artifact-start':
        update(messageId, { artifactId: event.artifactId });
        break;
      case 'artifact-end':
        update(messageId, { artifactId: event.artifactId, artifactTitle: event.title });
        artifactEnd = {
          artifactId: event.artifactId,
          title: event.title,
          sequence: (artifactEnd?.sequence ?? 0) + 1,
        };
        break;
      case 'usage':
        update(messageId, {
          usage: {
            inputTokens: event.inputTokens,
            outputTokens: event.outputTokens,
            cost: event.cost ?? null,
            ...(event.costSource ? { costSource: event.costSource } : {}),
          },
        });
        break;
      case 'end':
        update(messageId, {
          status: event.status,
          reason: event.reason ?? null,
          error: event.error ?? null,
        });
        break;
      case 'message-start':
        break;
    }
  }

  function startReply(
    id: string | undefined,
    event: Extract<ChatEvent, { type: 'message-start' }>,
  ) {
    reconcileUser(event.userMessage);
    const messageId = event.messageId;
    const reply = records.get(messageId);
    if (!reply) records.set(messageId, newReply(messageId));
    place(event.userMessage.id, messageId);
    const fields: Partial<ChatMessage> = {
      replyTo: event.userMessage.id,
      artifactId: event.artifactId ?? reply?.artifactId ?? null,
    };
    if (reply && isEnded(reply)) update(messageId, { replyTo: fields.replyTo ?? null });
    else {
      // The first event of a reply: its text starts here, whatever was shown before.
      update(messageId, {
        ...fields,
        content: '',
        status: 'generating',
        reason: null,
        error: null,
        usage: null,
        artifactTitle: null,
      });
    }
    if (id !== undefined) lastEventId = id;
  }

  /** What we know of an artifact; a later answer without html (not saved yet) keeps ours. */
  function mergeArtifact(artifact: ChatArtifactView): void {
    const known = artifacts.get(artifact.id);
    const title = artifact.title ?? known?.title ?? null;
    const html = artifact.html ?? known?.html ?? null;
    if (known && known.title === title && known.html === html) return;
    artifacts.set(artifact.id, { ...artifact, title, html });
    artifactsChanged = true;
  }

  /** Whether the server's copy of a message replaces ours. */
  function takesServer(local: ChatMessage, server: ChatMessageView, mode: SessionApplyMode) {
    if (local.role === 'user') return true;
    const serverEnded = server.status !== null && server.status !== 'generating';
    // We saw it end; the server's answer was older than that.
    if (isEnded(local) && !serverEnded) return false;
    // Both are still writing it: the live stream stays the source unless it failed us.
    if (!isEnded(local) && !serverEnded) return mode === 'replace';
    return true;
  }

  return {
    apply(id, event) {
      // The session's own events (a new title) are not the conversation's: the page's
      // session queries take them (see apply-session-update.ts).
      if (event.messageId === null) return;
      if (event.type === 'message-start') startReply(id, event);
      else {
        applyToReply(event.messageId, event);
        if (id !== undefined) lastEventId = id;
      }
      frames.changed();
    },

    applySession(view, mode) {
      const serverIds = new Set<string>();
      const nextOrder: string[] = [];
      let replaced = false;
      for (const server of view.messages) {
        serverIds.add(server.id);
        nextOrder.push(server.id);
        let local = records.get(server.id);
        if (!local && loaded && server.role === 'user') {
          // A new turn the stream has not confirmed yet: it is our optimistic message.
          const optimistic = pendingWithContent(server.content);
          if (optimistic) {
            rename(optimistic.id, server.id, { pending: false, sendFailure: null });
            local = records.get(server.id);
          }
        }
        if (local && !takesServer(local, server, mode)) continue;
        const next = fromView(server, local);
        if (
          mode === 'replace' &&
          next.status === 'generating' &&
          (local === undefined || local.content !== next.content)
        ) {
          // Polled text has no event id: a resume from ours would continue something else.
          replaced = true;
        }
        records.set(server.id, next);
      }
      // Optimistic messages and replies the answer did not have yet keep their place at the end.
      for (const id of order) if (!serverIds.has(id) && records.has(id)) nextOrder.push(id);
      order = nextOrder;
      for (const artifact of view.artifacts) mergeArtifact(artifact);
      if (replaced) {
        lastEventId = null;
        pollReplacements += 1;
      }
      loaded = true;
      frames.changed();
    },

    addOptimistic({ clientRequestId, content, createdAt }) {
      const id = `pending:${clientRequestId}`;
      records.set(id, {
        ...newReply(id),
        role: 'user',
        status: null,
        content,
        createdAt: createdAt ?? null,
        pending: true,
        clientRequestId,
      });
      order.push(id);
      frames.changed();
    },

    confirmSend(clientRequestId, answer) {
      const message = byClientRequestId(clientRequestId);
      if (message && message.id !== answer.userMessageId) {
        if (records.has(answer.userMessageId)) remove(message.id);
        else rename(message.id, answer.userMessageId, { pending: false, sendFailure: null });
      } else if (message) {
        update(message.id, { pending: false, sendFailure: null });
      }
      if (!records.has(answer.messageId)) {
        // Its events are on their way; until then the reply shows as started.
        records.set(
          answer.messageId,
          newReply(answer.messageId, {
            replyTo: answer.userMessageId,
            artifactId: answer.artifactId,
          }),
        );
      }
      place(records.has(answer.userMessageId) ? answer.userMessageId : null, answer.messageId);
      frames.changed();
    },

    failSend(clientRequestId, failure) {
      const message = byClientRequestId(clientRequestId);
      if (!message?.pending) return;
      update(message.id, { sendFailure: failure });
      frames.changed();
    },

    removeOptimistic(clientRequestId) {
      const message = byClientRequestId(clientRequestId);
      if (!message?.pending) return;
      remove(message.id);
      frames.changed();
    },

    setArtifact(artifact) {
      mergeArtifact(artifact);
      frames.changed();
    },

    setConnection(next) {
      if (next === 'live') everLive = true;
      if (next === connection) return;
      connection = next;
      frames.changed();
    },

    setNotFound() {
      notFound = true;
      frames.changed();
    },

    get lastEventId() {
      return lastEventId;
    },
    get pollReplacements() {
      return pollReplacements;
    },
    get streaming() {
      for (const message of records.values()) {
        if (message.role === 'assistant' && message.status === 'generating') return true;
      }
      return false;
    },

    resumeState() {
      const messageId = parseMessageEventId(lastEventId)?.messageId;
      const message = messageId ? records.get(messageId) : undefined;
      return lastEventId && message ? { lastEventId, message } : null;
    },

    subscribe: frames.subscribe,
    getSnapshot: frames.getSnapshot,
    watch: frames.watch,
    flush: frames.flush,
  };
}
