import { z } from 'zod';
import { userText } from './user-text';

export const chatLimits = {
  titleMaxLength: 200,
  promptMaxLength: 20_000,
  messageMaxLength: 20_000,
  modelMaxLength: 200,
  clientRequestIdMaxLength: 100,
} as const;

const prompt = userText().max(chatLimits.promptMaxLength);
const id = userText().min(1).max(100);

export const chatSessionSettingsSchema = z
  .object({
    title: userText().trim().min(1, 'Give the session a name').max(chatLimits.titleMaxLength),
    model: userText().trim().min(1).max(chatLimits.modelMaxLength),
    systemPrompt: prompt,
    character: prompt,
    userProfile: prompt,
    /** While it has at most one prior turn, the assistant is asked for a self-contained HTML experiment. */
    experiment: z.boolean(),
    /** The most one reply may cost, USD; null: the server's MAX_COST_PER_GENERATION_USD. */
    maxCostUsd: z
      .number()
      .positive('A cost ceiling is more than $0')
      .max(1000, 'A cost ceiling is at most $1,000')
      .nullable(),
  })
  .strict();

export const createChatSessionInputSchema = chatSessionSettingsSchema.partial().strict();
export type CreateChatSessionInput = z.infer<typeof createChatSessionInputSchema>;

export const updateChatSessionInputSchema = z
  .object({ sessionId: id })
  .extend(chatSessionSettingsSchema.partial().shape)
  .strict();
export type UpdateChatSessionInput = z.infer<typeof updateChatSessionInputSchema>;

export const renameChatSessionInputSchema = z.object({
  sessionId: id,
  title: chatSessionSettingsSchema.shape.title,
});

export const chatSessionIdInputSchema = z.object({ sessionId: id });

export const chatArtifactIdInputSchema = z.object({ artifactId: id });

export const chatSettingsSchema = z
  .object({
    /** Put before every session's system prompt. */
    preSystemPrompt: prompt,
    /** Sent after the history, before the new user message. */
    postSystemPrompt: prompt,
  })
  .strict();
export type ChatSettings = z.infer<typeof chatSettingsSchema>;
export const updateChatSettingsInputSchema = chatSettingsSchema.partial().strict();

export const sendChatMessageInputSchema = z.object({
  sessionId: id,
  content: userText()
    .trim()
    .min(1, 'Write a message')
    .max(
      chatLimits.messageMaxLength,
      `Messages must be at most ${chatLimits.messageMaxLength} characters`,
    ),
  stream: z.boolean().default(true),
  /** The same id on a retried send attaches to the first send's reply instead of starting another. */
  clientRequestId: userText().trim().min(1).max(chatLimits.clientRequestIdMaxLength).optional(),
});
export type SendChatMessageInput = z.input<typeof sendChatMessageInputSchema>;

export const chatEventsInputSchema = z.object({
  sessionId: id,
  lastEventId: userText().max(200).nullish(),
});
export type ChatEventsInput = z.infer<typeof chatEventsInputSchema>;

export const listChatSessionsInputSchema = z
  .object({ limit: z.number().int().min(1).max(200).optional() })
  .optional();
