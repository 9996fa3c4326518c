export { createServerApp, type ServerApp, type ServerAppOptions } from './app';
export { loadConfig, type ServerConfig } from './env';
export { createAnthropicAdapter } from './providers/anthropic/anthropic-adapter';
export { createOpenAIResponsesAdapter } from './providers/openai/openai-responses-adapter';
export type { ProviderAdapter, ProviderEvent } from './providers/provider';
export type { AppRouter } from './routers/app-router';
export type { ChatArtifactView, ChatMessageView, ChatSessionView } from './services/chat-service';
export type { PlanSummary, PlanUsage, PlanView } from './services/plan-service';
export type { FieldErrors } from './trpc';
