import type { ProviderMessage, ProviderRequest } from '../providers/provider';

export const systemPartSeparator = '\n---\n';

export const experimentInstruction = [
  'This is an experiment session. Answer with a short introduction, then one self-contained HTML',
  'document in a single ```html fenced code block: inline CSS and JavaScript only, no external',
  'resources, a <title>, and it must work inside a sandboxed iframe. Then a sentence on how to use it.',
].join(' ');

export interface ChatPromptParts {
  preSystemPrompt: string;
  systemPrompt: string;
  character: string;
  userProfile: string;
  postSystemPrompt: string;
}

export interface ChatHistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Pre-system prompt, system prompt, character and user profile, joined by `\n---\n`; empty parts skipped. */
export function composeSystemMessage(parts: Omit<ChatPromptParts, 'postSystemPrompt'>): string {
  return [parts.preSystemPrompt, parts.systemPrompt, parts.character, parts.userProfile]
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join(systemPartSeparator);
}

/**
 * The messages sent upstream: the system message, the history, the post-system prompt,
 * then the new user message. Empty parts are left out.
 */
export function composeChatMessages(args: {
  parts: ChatPromptParts;
  history: readonly ChatHistoryMessage[];
  content: string;
  experiment: boolean;
}): ProviderMessage[] {
  const system = composeSystemMessage(args.parts);
  const systemWithExperiment = args.experiment
    ? [system, experimentInstruction].filter(Boolean).join(systemPartSeparator)
    : system;
  const messages: ProviderMessage[] = [];
  if (systemWithExperiment) messages.push({ role: 'system', content: systemWithExperiment });
  for (const message of args.history) {
    if (message.content.trim() !== '')
      messages.push({ role: message.role, content: message.content });
  }
  const post = args.parts.postSystemPrompt.trim();
  if (post) messages.push({ role: 'system', content: post });
  messages.push({ role: 'user', content: args.content });
  return messages;
}

export function buildChatRequest(args: {
  model: string;
  fallbackModels: readonly string[];
  temperature: number;
  maxTokens: number;
  messages: ProviderMessage[];
}): ProviderRequest {
  return {
    model: args.model,
    fallbackModels: args.fallbackModels,
    messages: args.messages,
    temperature: args.temperature,
    maxTokens: args.maxTokens,
  };
}
