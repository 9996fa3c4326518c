export { createServerApp, type ServerApp, type ServerAppOptions } from './app';
export type { ChatArtifactView, ChatMessageView, ChatSessionView } from './chat/chat-service';
export { loadConfig, type ServerConfig } from './env';
// For the bench: the engine alone, with and without a tracer.
export { createInProcessEventBus } from './generation/event-bus';
export { createGenerationEngine } from './generation/generation-engine';
export type { PlanSummary, PlanUsage, PlanView } from './plans/plan-service';
export { createAnthropicAdapter } from './providers/anthropic/anthropic-adapter';
export { createOpenAIResponsesAdapter } from './providers/openai/openai-responses-adapter';
export type { ProviderAdapter, ProviderEvent } from './providers/provider';
export type { AppRouter } from './routers/app-router';
export { createGenerationTracer } from './tracing/generation-tracer';
export type { FieldErrors } from './trpc';
