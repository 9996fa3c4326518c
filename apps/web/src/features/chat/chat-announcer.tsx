import { useEffect, useRef, useState } from 'react';
import { connectionAnnouncements } from '../../components/connection-status';
import type { ConnectionMode } from '../../lib/connection-fallback';
import type { ChatMessage } from './chat-stream-store';
import { describeReplyOutcome } from './describe-chat-error';

interface ChatAnnouncerProps {
  /** The latest reply (the one being written, or the last one written). */
  reply: ChatMessage | null;
  connection: ConnectionMode;
}

/** Tells screen readers when a reply starts and ends, and about errors; not every token. */
export function ChatAnnouncer({ reply, connection }: ChatAnnouncerProps) {
  const [message, setMessage] = useState('');
  const previous = useRef<{ id: string | null; status: string | null; connection: ConnectionMode }>(
    null,
  );
  const replyId = reply?.id ?? null;
  const status = reply?.status ?? null;

  useEffect(() => {
    const before = previous.current;
    previous.current = { id: replyId, status, connection };
    // What the page shows on arrival is read with the page, not announced.
    if (!before) return;
    const parts: string[] = [];
    const changed = replyId !== before.id || status !== before.status;
    if (changed && status === 'generating') parts.push('The assistant is replying.');
    if (changed && reply && status !== null && status !== 'generating') {
      if (status === 'completed') parts.push('Reply finished.');
      else parts.push(describeReplyOutcome(reply) ?? 'The reply stopped.');
    }
    const connectionMessage = connectionAnnouncements[connection];
    if (connection !== before.connection && connectionMessage) parts.push(connectionMessage);
    if (
      connection === 'live' &&
      (before.connection === 'polling' || before.connection === 'offline')
    ) {
      parts.push('Live updates are back.');
    }
    if (parts.length > 0) setMessage(parts.join(' '));
  }, [replyId, status, connection, reply]);

  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {message}
    </div>
  );
}
