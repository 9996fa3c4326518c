export { createServerApp, type ServerApp, type ServerAppOptions } from './app';
export type { ChatArtifactView, ChatMessageView, ChatSessionView } from './chat/chat-service';
export { loadConfig, type ServerConfig } from './env';
export type { PlanSummary, PlanUsage, PlanView } from './plans/plan-service';
export { createAnthropicAdapter } from './providers/anthropic/anthropic-adapter';
export { createOpenAIResponsesAdapter } from './providers/openai/openai-responses-adapter';
export type { ProviderAdapter, ProviderEvent } from './providers/provider';
export type { AppRouter } from './routers/app-router';
export type { FieldErrors } from './trpc';
