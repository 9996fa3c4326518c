import { findHtmlBlock, titleOf as titleOfHtml } from '@sluice/shared';
import { memo } from 'react';
import { describeCost } from '../../lib/describe-cost';
import { formatElapsed, formatTokens } from '../../lib/format';
import { priceOfModel, runningCostOf, useModelPrices } from '../../lib/model-prices';
import type { ChatMessage } from './chat-stream-store';
import type { ChatArtifactView } from './chat-types';
import { describeReplyOutcome } from './describe-chat-error';
import { MessageMarkdown } from './message-markdown';

/** What a reply's experiment looks like from here: being written, or ready to open. */
export interface ArtifactSummary {
  id: string;
  state: 'writing' | 'ready';
  title: string;
  /** The saved html, else the block as the reply has it (until the server has saved it). */
  html: string | null;
}

/** The experiment of a reply, if it has one (its ```html block, or the server's saved copy). */
export function artifactOf(
  message: ChatMessage,
  artifacts: ReadonlyMap<string, ChatArtifactView>,
): ArtifactSummary | null {
  if (message.role !== 'assistant' || !message.artifactId) return null;
  const saved = artifacts.get(message.artifactId);
  const ended = message.status !== 'generating';
  const block = findHtmlBlock(message.content, ended);
  if (!saved?.html && !block) return null;
  const html = saved?.html ?? block?.html ?? null;
  const ready = Boolean(saved?.html) || Boolean(block?.closed) || (ended && html !== null);
  return {
    id: message.artifactId,
    state: ready ? 'ready' : 'writing',
    title: saved?.title ?? message.artifactTitle ?? (html ? titleOfHtml(html) : 'Experiment'),
    html,
  };
}

function UsageLine({ message }: { message: ChatMessage }) {
  const { usage, stats } = message;
  const prices = useModelPrices();
  const parts: string[] = [];
  if (!usage && message.status === 'generating') {
    const running = runningCostOf(priceOfModel(prices, message.model), message.content);
    const cost = describeCost({ cost: running, generating: true, stopped: false });
    if (cost === null) return null;
    return (
      <p className="message-usage" data-testid="message-usage">
        {cost}
      </p>
    );
  }
  if (!usage && !stats) return null;
  if (usage) {
    parts.push(`${formatTokens(usage.inputTokens)} in`, `${formatTokens(usage.outputTokens)} out`);
    const cost = describeCost({
      cost: usage.cost,
      costSource: usage.costSource,
      generating: message.status === 'generating',
      stopped: message.status !== 'generating' && message.status !== 'completed',
    });
    if (cost !== null) parts.push(cost);
  }
  if (stats) parts.push(formatElapsed(stats.durationMs));
  return (
    <p className="message-usage" data-testid="message-usage">
      {parts.join(' · ')}
    </p>
  );
}

interface ChatMessageItemProps {
  message: ChatMessage;
  /** The session's artifacts (a new map only when one changed). */
  artifacts: ReadonlyMap<string, ChatArtifactView>;
  /** Offer Retry (the latest failed reply, or a send that got no answer). */
  canRetry: boolean;
  onRetry(message: ChatMessage): void;
  onOpenArtifact(artifactId: string, opener: HTMLElement): void;
}

function UserMessage({ message, canRetry, onRetry }: ChatMessageItemProps) {
  return (
    <article
      className={`chat-message chat-message-user${message.pending && !message.sendFailure ? ' chat-message-pending' : ''}`}
      data-testid="chat-message"
      data-role="user"
      data-message-id={message.id}
      data-pending={message.pending ? 'true' : 'false'}
      aria-label="You"
    >
      <p className="message-text">{message.content}</p>
      {message.pending && !message.sendFailure ? <p className="message-meta">Sending…</p> : null}
      {message.sendFailure ? (
        <div className="message-problem-row">
          <p className="message-problem" role="alert">
            Not sent: {message.sendFailure.message}
          </p>
          {canRetry ? (
            <button
              type="button"
              className="button button-small button-primary"
              onClick={() => onRetry(message)}
            >
              Retry
            </button>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

function AssistantMessage({
  message,
  artifacts,
  canRetry,
  onRetry,
  onOpenArtifact,
}: ChatMessageItemProps) {
  const status = message.status ?? 'generating';
  const streaming = status === 'generating';
  const problem = describeReplyOutcome(message);
  const isProblem = status === 'failed' || status === 'partial';
  const artifact = artifactOf(message, artifacts);
  return (
    <article
      className={`chat-message chat-message-assistant${streaming ? ' chat-message-streaming' : ''}`}
      data-testid="chat-message"
      data-role="assistant"
      data-message-id={message.id}
      data-status={status}
      aria-label="Assistant"
      aria-busy={streaming}
    >
      <header className="message-header">
        <span className="message-author">Assistant</span>
        {message.model ? <span className="message-model">{message.model}</span> : null}
        {streaming ? (
          <span className="status-badge status-generating" data-testid="streaming-badge">
            Streaming
          </span>
        ) : null}
        {status === 'cancelled' ? (
          <span className="status-badge status-cancelled">Stopped</span>
        ) : null}
        {isProblem ? (
          <span className={`status-badge status-${status}`}>
            {status === 'failed' ? 'Failed' : 'Incomplete'}
          </span>
        ) : null}
      </header>
      <div
        className="message-body"
        data-testid="message-body"
        data-streaming={streaming ? 'true' : undefined}
      >
        <MessageMarkdown content={message.content} streaming={streaming} />
        {streaming && message.content.trim() === '' ? (
          <p className="message-waiting">
            <span className="visually-hidden">Writing…</span>
          </p>
        ) : null}
      </div>
      <pre className="message-raw" data-testid="message-raw" hidden>
        {message.content}
      </pre>
      {artifact ? (
        <div className="artifact-chip">
          <span className="artifact-chip-title">
            {artifact.state === 'writing' ? 'Writing an experiment…' : artifact.title}
          </span>
          {artifact.state === 'ready' ? (
            <button
              type="button"
              className="button button-small"
              onClick={(event) => onOpenArtifact(artifact.id, event.currentTarget)}
            >
              Open experiment
            </button>
          ) : null}
        </div>
      ) : null}
      {problem && isProblem ? (
        <div className="message-problem-row">
          <p className="message-problem" role="alert">
            {problem}
          </p>
          {canRetry ? (
            <button
              type="button"
              className="button button-small button-primary"
              onClick={() => onRetry(message)}
            >
              Retry
            </button>
          ) : null}
        </div>
      ) : null}
      {problem && status === 'cancelled' ? <p className="message-note">{problem}</p> : null}
      {streaming ? null : <UsageLine message={message} />}
    </article>
  );
}

/** One message of the conversation; re-renders only when its own record changed. */
export const ChatMessageItem = memo(function ChatMessageItem(props: ChatMessageItemProps) {
  return props.message.role === 'user' ? (
    <UserMessage {...props} />
  ) : (
    <AssistantMessage {...props} />
  );
});
