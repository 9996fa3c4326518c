export { createServerApp, type ServerApp, type ServerAppOptions } from './app';
export { loadConfig, type ServerConfig } from './env';
export type { AppRouter } from './routers/app-router';
export type { ChatArtifactView, ChatMessageView, ChatSessionView } from './services/chat-service';
export type { PlanSummary, PlanUsage, PlanView } from './services/plan-service';
export type { FieldErrors } from './trpc';
