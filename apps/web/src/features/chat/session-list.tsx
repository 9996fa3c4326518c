import { useEffect, useRef } from 'react';
import { formatRelativeTime } from '../../lib/format';
import { chatPath, Link, navigate } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { describeChatRequestError } from './describe-chat-error';

/** The chats, most recently active first, and New chat. */
export function SessionList({ currentId }: { currentId: string | null }) {
  const utils = trpc.useUtils();
  const sessions = trpc.chat.listSessions.useQuery({ limit: 100 });
  const create = trpc.chat.createSession.useMutation({
    onSuccess(session) {
      utils.chat.listSessions.setData({ limit: 100 }, (current) =>
        current ? [session, ...current.filter((other) => other.id !== session.id)] : [session],
      );
      void utils.chat.listSessions.invalidate();
      navigate(chatPath(session.id));
    },
  });

  // On a phone the list is a sideways strip: keep the current session in view.
  const listRef = useRef<HTMLUListElement>(null);
  const hasSessions = Boolean(sessions.data?.length);
  useEffect(() => {
    const list = listRef.current;
    if (!list || !hasSessions || list.scrollWidth <= list.clientWidth) return;
    const current = list.querySelector<HTMLElement>('[aria-current="page"]')?.parentElement;
    if (current) list.scrollLeft = current.offsetLeft - list.offsetLeft - 8;
  }, [currentId, hasSessions]);

  return (
    <section className="session-list" aria-labelledby="sessions-heading">
      <div className="session-list-header">
        <h2 id="sessions-heading">Sessions</h2>
        <button
          type="button"
          className="button button-primary button-small"
          aria-disabled={create.isPending}
          onClick={() => {
            if (!create.isPending) create.mutate({});
          }}
        >
          New chat
        </button>
      </div>
      {create.error ? (
        <p className="form-error" role="alert">
          {describeChatRequestError(create.error)}
        </p>
      ) : null}
      {sessions.isPending ? <p className="muted">Loading…</p> : null}
      {sessions.isError ? (
        <p className="muted">Sessions unavailable: {describeChatRequestError(sessions.error)}</p>
      ) : null}
      {sessions.data?.length === 0 ? <p className="muted">No chats yet.</p> : null}
      {sessions.data && sessions.data.length > 0 ? (
        <ul className="session-items" ref={listRef}>
          {sessions.data.map((session) => {
            const current = session.id === currentId;
            return (
              <li
                key={session.id}
                className={current ? 'session-item session-item-current' : 'session-item'}
                data-testid="session-list-item"
              >
                <Link
                  to={chatPath(session.id)}
                  className="session-link"
                  aria-current={current ? 'page' : undefined}
                >
                  <span className="session-title">{session.title}</span>
                  <span className="session-meta">
                    {session.experiment ? 'Experiment · ' : ''}
                    {formatRelativeTime(session.updatedAt)}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
