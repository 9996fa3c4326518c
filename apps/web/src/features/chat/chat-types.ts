import type { AppRouter } from '@sluice/server';
import type { inferRouterOutputs } from '@trpc/server';

type ChatOutputs = inferRouterOutputs<AppRouter>['chat'];

/** `chat.getSession`: the session, its messages (oldest first) and its artifacts. */
export type ChatSessionDetail = ChatOutputs['getSession'];
export type ChatSessionView = ChatSessionDetail['session'];
export type ChatMessageView = ChatSessionDetail['messages'][number];
export type ChatArtifactView = ChatOutputs['getArtifact'];
export type ChatSendAnswer = ChatOutputs['send'];
