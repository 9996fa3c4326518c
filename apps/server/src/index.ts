export { createServerApp, type ServerApp, type ServerAppOptions } from './app';
export type { ChatArtifactView, ChatMessageView, ChatSessionView } from './chat/chat-service';
export { loadConfig, type ServerConfig } from './env';
export type { PlanSummary, PlanUsage, PlanView } from './plans/plan-service';
export type { AppRouter } from './routers/app-router';
export type { FieldErrors } from './trpc';
