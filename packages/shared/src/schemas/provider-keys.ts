import { z } from 'zod';
import { userText } from './user-text';

/** Providers a key can be stored for. */
export const providerNames = ['openrouter', 'anthropic', 'openai'] as const;
export const providerNameSchema = z.enum(providerNames);
export type ProviderName = z.infer<typeof providerNameSchema>;

export const providerKeyLimits = {
  minLength: 16,
  maxLength: 512,
} as const;

/** The key's content is checked by the server (length, no whitespace or control characters). */
export const setProviderKeyInputSchema = z
  .object({
    provider: providerNameSchema,
    key: userText().max(providerKeyLimits.maxLength, 'A provider key is at most 512 characters'),
  })
  .strict();
export type SetProviderKeyInput = z.infer<typeof setProviderKeyInputSchema>;

export const deleteProviderKeyInputSchema = z.object({ provider: providerNameSchema }).strict();
export type DeleteProviderKeyInput = z.infer<typeof deleteProviderKeyInputSchema>;

/** What the API shows of a stored key: never the key, only its masked form. */
export interface ProviderKeyView {
  provider: ProviderName;
  masked: string;
  updatedAt: string;
}
