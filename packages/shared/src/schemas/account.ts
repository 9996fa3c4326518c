import { z } from 'zod';
import { userText } from './user-text';

export const createApiKeyInputSchema = z.object({
  name: userText().trim().min(1, 'Give the key a name').max(100),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInputSchema>;

export const apiKeyIdInputSchema = z.object({ id: userText().min(1).max(100) });
export type ApiKeyIdInput = z.infer<typeof apiKeyIdInputSchema>;

export const updateAccountSettingsInputSchema = z.object({ allowSignUp: z.boolean().optional() });
export type UpdateAccountSettingsInput = z.infer<typeof updateAccountSettingsInputSchema>;
