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

/** A user's own limit: a number, `'unlimited'`, or null (back to the env default). */
const quotaOverrideSchema = (maximum: number) =>
  z.union([z.number().min(0).max(maximum), z.literal('unlimited'), z.null()]).optional();
const wholeNumber = (value: number | 'unlimited' | null | undefined) =>
  typeof value !== 'number' || Number.isInteger(value);

export const setUserQuotasInputSchema = z.object({
  userId: userText().min(1).max(100),
  plansPerMonth: quotaOverrideSchema(1_000_000_000).refine(wholeNumber, 'must be a whole number'),
  repliesPerDay: quotaOverrideSchema(1_000_000_000).refine(wholeNumber, 'must be a whole number'),
  usdPerMonth: quotaOverrideSchema(1_000_000_000),
});
export type SetUserQuotasInput = z.infer<typeof setUserQuotasInputSchema>;

/** The admin's activity page: the last 24 hours, 7 days or 30 days. */
export const activityRangeSchema = z.enum(['24h', '7d', '30d']);
export const activityInputSchema = z.object({ range: activityRangeSchema });
export type ActivityInput = z.infer<typeof activityInputSchema>;
