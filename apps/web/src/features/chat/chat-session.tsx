import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ConnectionStatus } from '../../components/connection-status';
import { JumpToLatestButton } from '../../components/jump-to-latest-button';
import { isNotFoundError, isUnreachableError } from '../../lib/describe-request-error';
import { chatPath, Link, navigate } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useFollowLatest } from '../../lib/use-follow-latest';
import { ArtifactPanel } from './artifact-panel';
import { ChatAnnouncer } from './chat-announcer';
import { artifactOf, ChatMessageItem } from './chat-message';
import { forgetChatStream, useChatStream } from './chat-stream';
import type { ChatMessage } from './chat-stream-store';
import { Composer } from './composer';
import { describeChatRequestError } from './describe-chat-error';
import { newClientRequestId } from './new-client-request-id';
import { SessionSettings } from './session-settings';

function scrollToEnd(): void {
  window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });
}

/** One chat session: its conversation, the composer, its settings and its experiments. */
export function ChatSession({ sessionId }: { sessionId: string }) {
  const { stream, entry } = useChatStream(sessionId);
  const { store, connection } = entry;
  const utils = trpc.useUtils();
  const detail = trpc.chat.getSession.useQuery({ sessionId }, { staleTime: 5_000 });
  const cancel = trpc.chat.cancel.useMutation();
  const remove = trpc.chat.deleteSession.useMutation({
    onSuccess() {
      forgetChatStream(sessionId);
      void utils.chat.listSessions.invalidate();
      navigate(chatPath(), { replace: true });
    },
  });

  const [draft, setDraft] = useState('');
  const [sendError, setSendError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [openArtifact, setOpenArtifact] = useState<{ id: string; focus: boolean } | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const stopRef = useRef<HTMLButtonElement>(null);
  const settingsButtonRef = useRef<HTMLButtonElement>(null);
  const artifactOpenerRef = useRef<HTMLElement | null>(null);

  const notFound = stream.notFound || isNotFoundError(detail.error);
  const streaming = stream.streamingMessageId !== null;
  const session = detail.data?.session;
  const title = session?.title ?? (notFound ? 'No chat with this id' : 'Chat');
  useDocumentTitle(title);

  // Follow the conversation down while something is arriving: a reply, or our own message.
  const arriving = streaming || sending || stream.messages.some((message) => message.pending);
  const { following, jumpToLatest } = useFollowLatest(arriving, stream.messages);

  // A reply that ended while followed: its last lines (usage, experiment) in view too.
  const wasStreaming = useRef(streaming);
  useLayoutEffect(() => {
    if (wasStreaming.current && !streaming && following) scrollToEnd();
    wasStreaming.current = streaming;
  }, [streaming, following]);

  // Opening a session: start at its latest message, ready to type.
  const arrived = useRef(false);
  useLayoutEffect(() => {
    if (!stream.loaded || arrived.current) return;
    arrived.current = true;
    scrollToEnd();
    // Not on a touch screen: its keyboard would cover the conversation just opened.
    if (!window.matchMedia?.('(pointer: coarse)').matches) {
      textareaRef.current?.focus({ preventScroll: true });
    }
  }, [stream.loaded]);

  // While a reply we sent is written, the keyboard waits on Stop; then back to the composer.
  const sentHere = useRef(false);
  const locked = streaming || sending || !stream.loaded;
  useEffect(() => {
    const active = document.activeElement;
    const lost = active === null || active === document.body || active === textareaRef.current;
    if (locked && streaming && sentHere.current && lost) stopRef.current?.focus();
    if (!locked) {
      if (lost || active === stopRef.current) textareaRef.current?.focus({ preventScroll: true });
      sentHere.current = false;
    }
  }, [locked, streaming]);

  // An experiment opens by itself when its block closes in a reply that is streaming in.
  const artifactSequence = useRef(stream.artifactEnd?.sequence ?? 0);
  useEffect(() => {
    const ended = stream.artifactEnd;
    if (!ended || ended.sequence === artifactSequence.current) return;
    artifactSequence.current = ended.sequence;
    setOpenArtifact({ id: ended.artifactId, focus: false });
  }, [stream.artifactEnd]);

  // The saved html of each finished reply's experiment (the reply's own block until then).
  const requestedArtifacts = useRef(new Set<string>());
  useEffect(() => {
    for (const message of stream.messages) {
      const artifactId = message.artifactId;
      if (message.role !== 'assistant' || !artifactId || message.status === 'generating') continue;
      if (stream.artifacts.get(artifactId)?.html || requestedArtifacts.current.has(artifactId)) {
        continue;
      }
      requestedArtifacts.current.add(artifactId);
      utils.client.chat.getArtifact.query({ artifactId }).then(
        (artifact) => store.setArtifact(artifact),
        (error: unknown) => {
          // Not saved (a reply without a block drops it); a network error may try again.
          if (!isNotFoundError(error)) requestedArtifacts.current.delete(artifactId);
        },
      );
    }
  }, [stream.messages, stream.artifacts, store, utils]);

  const send = useCallback(
    async (content: string, clientRequestId: string, retrying: boolean) => {
      setSending(true);
      setSendError(null);
      sentHere.current = true;
      if (retrying) store.failSend(clientRequestId, null);
      else store.addOptimistic({ clientRequestId, content, createdAt: new Date().toISOString() });
      store.flush();
      scrollToEnd();
      try {
        const answer = await utils.client.chat.send.mutate({ sessionId, content, clientRequestId });
        store.confirmSend(clientRequestId, answer);
        if (answer.attached) void connection.refresh();
        // The first message names a new session: refresh the header and the list.
        void utils.chat.getSession.invalidate({ sessionId });
        void utils.chat.listSessions.invalidate();
      } catch (error) {
        sentHere.current = false;
        if (isUnreachableError(error)) {
          // The server may have it: Retry sends again with the same request id.
          store.failSend(clientRequestId, {
            message: describeChatRequestError(error),
            network: true,
          });
        } else {
          store.removeOptimistic(clientRequestId);
          setDraft((current) => (current.trim() === '' ? content : current));
          setSendError(describeChatRequestError(error));
        }
      } finally {
        setSending(false);
      }
    },
    [sessionId, store, connection, utils],
  );

  const onSend = useCallback(() => {
    const content = draft.trim();
    if (content === '') {
      textareaRef.current?.focus();
      return;
    }
    setDraft('');
    void send(content, newClientRequestId(), false);
  }, [draft, send]);

  // Retry: a send that got no answer goes again as the same request; a failed reply's
  // question goes again as a new message.
  const messagesRef = useRef(stream.messages);
  messagesRef.current = stream.messages;
  const onRetry = useCallback(
    (message: ChatMessage) => {
      if (message.role === 'user') {
        if (message.clientRequestId && message.sendFailure) {
          void send(message.content, message.clientRequestId, true);
        }
        return;
      }
      const question = messagesRef.current.find(
        (other) => other.role === 'user' && other.id === message.replyTo,
      );
      if (question) void send(question.content, newClientRequestId(), false);
    },
    [send],
  );

  const onOpenArtifact = useCallback((artifactId: string, opener: HTMLElement) => {
    artifactOpenerRef.current = opener;
    setOpenArtifact({ id: artifactId, focus: true });
  }, []);

  const closeArtifact = useCallback(() => {
    setOpenArtifact(null);
    const opener = artifactOpenerRef.current;
    artifactOpenerRef.current = null;
    if (opener?.isConnected) opener.focus();
    else textareaRef.current?.focus({ preventScroll: true });
  }, []);

  if (notFound) {
    return (
      <section className="chat-empty">
        <h1 tabIndex={-1}>No chat with this id</h1>
        <p>
          It may have been deleted. <Link to={chatPath()}>Back to your chats</Link>
        </p>
      </section>
    );
  }

  const lastReply = stream.messages.findLast((message) => message.role === 'assistant') ?? null;
  const openMessage = openArtifact
    ? stream.messages.find((message) => message.artifactId === openArtifact.id)
    : undefined;
  const openSummary = openMessage ? artifactOf(openMessage, stream.artifacts) : null;

  return (
    <div className={openSummary ? 'chat-session chat-session-with-artifact' : 'chat-session'}>
      <div className="chat-column">
        <header className="chat-header">
          <div className="chat-title-row">
            <h1 className="chat-title">{title}</h1>
            <ConnectionStatus
              mode={stream.connection}
              everLive={stream.everLive}
              streaming={streaming}
              idleLabel="Connected"
            />
          </div>
          <div className="chat-toolbar">
            {session ? (
              <span className="chat-model" title="Model">
                {session.model}
                {session.experiment ? ' · Experiment session' : ''}
              </span>
            ) : null}
            <button
              ref={settingsButtonRef}
              type="button"
              className="button button-small"
              aria-expanded={settingsOpen}
              aria-controls="session-settings-panel"
              onClick={() => setSettingsOpen((open) => !open)}
            >
              Session settings
            </button>
            {confirmingDelete ? (
              <fieldset className="delete-confirm">
                <legend className="visually-hidden">Delete this chat?</legend>
                <span>Delete this chat and all its messages?</span>
                <button
                  type="button"
                  className="button button-small button-danger"
                  aria-disabled={remove.isPending}
                  onClick={() => {
                    if (!remove.isPending) remove.mutate({ sessionId });
                  }}
                >
                  Delete
                </button>
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setConfirmingDelete(false)}
                >
                  Cancel
                </button>
              </fieldset>
            ) : (
              <button
                type="button"
                className="button button-small button-danger"
                onClick={() => setConfirmingDelete(true)}
              >
                Delete chat
              </button>
            )}
          </div>
          {remove.error ? (
            <p className="form-error" role="alert">
              {describeChatRequestError(remove.error)}
            </p>
          ) : null}
        </header>

        {settingsOpen && session ? (
          <div id="session-settings-panel">
            <SessionSettings
              session={session}
              onClose={() => {
                setSettingsOpen(false);
                settingsButtonRef.current?.focus();
              }}
            />
          </div>
        ) : null}

        <div className="chat-log" role="log" aria-label="Conversation">
          {stream.loaded && stream.messages.length === 0 ? (
            <p className="chat-log-empty">
              {session?.experiment
                ? 'Ask for an experiment: the first replies come with a small interactive page.'
                : 'No messages yet. Write the first one below.'}
            </p>
          ) : null}
          {!stream.loaded && stream.messages.length === 0 ? (
            <p className="chat-log-empty">Loading the conversation…</p>
          ) : null}
          {stream.messages.map((message) => (
            <ChatMessageItem
              key={message.key}
              message={message}
              artifacts={stream.artifacts}
              canRetry={
                message.role === 'user'
                  ? message.sendFailure !== null && !locked
                  : message === lastReply && !locked
              }
              onRetry={onRetry}
              onOpenArtifact={onOpenArtifact}
            />
          ))}
        </div>

        {streaming && !following ? <JumpToLatestButton onClick={jumpToLatest} /> : null}

        <Composer
          value={draft}
          onChange={(value) => {
            setDraft(value);
            if (sendError) setSendError(null);
          }}
          onSend={onSend}
          onStop={() => cancel.mutate({ sessionId })}
          streaming={streaming}
          busy={sending || !stream.loaded}
          stopping={cancel.isPending}
          error={sendError ?? (cancel.error ? describeChatRequestError(cancel.error) : null)}
          textareaRef={textareaRef}
          stopRef={stopRef}
        />
      </div>

      {openSummary ? (
        <ArtifactPanel
          key={openSummary.id}
          artifact={openSummary}
          focusOnOpen={openArtifact?.focus ?? false}
          onClose={closeArtifact}
        />
      ) : null}

      <ChatAnnouncer reply={lastReply} connection={stream.connection} />
    </div>
  );
}
