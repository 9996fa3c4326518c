import type { QueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { trpc } from '../../lib/trpc';
import type { ChatSessionDetail, ChatSessionView } from './chat-types';

/** An answer or event no newer than what the cache holds does not replace it. */
function isNewer(session: ChatSessionView, cached: ChatSessionView): boolean {
  return session.updatedAt >= cached.updatedAt;
}

function sameSession(left: ChatSessionView, right: ChatSessionView): boolean {
  return (
    left.title === right.title &&
    left.model === right.model &&
    left.systemPrompt === right.systemPrompt &&
    left.character === right.character &&
    left.userProfile === right.userProfile &&
    left.experiment === right.experiment &&
    left.updatedAt === right.updatedAt
  );
}

/**
 * Puts a session the server reported (a `session-updated` event, or a `chat.getSession`
 * answer) into the cached `chat.getSession` and `chat.listSessions` queries, so the heading,
 * the document title and the session list show it at once in every tab. The list is
 * refetched when the session changed in it, since its order follows activity.
 */
export function applySessionUpdate(queryClient: QueryClient, session: ChatSessionView): void {
  queryClient.setQueriesData<ChatSessionDetail>(
    { queryKey: getQueryKey(trpc.chat.getSession, { sessionId: session.id }, 'query') },
    (current) =>
      current && isNewer(session, current.session) && !sameSession(session, current.session)
        ? { ...current, session }
        : current,
  );

  const listKey = getQueryKey(trpc.chat.listSessions, undefined, 'query');
  let listChanged = false;
  queryClient.setQueriesData<ChatSessionView[]>({ queryKey: listKey }, (current) => {
    if (!current) return current;
    const cached = current.find((item) => item.id === session.id);
    // Not in this list (past its limit, or created since): its next fetch decides.
    if (!cached || !isNewer(session, cached) || sameSession(session, cached)) return current;
    listChanged = true;
    return current.map((item) => (item.id === session.id ? session : item));
  });
  if (listChanged) void queryClient.invalidateQueries({ queryKey: listKey });
}
