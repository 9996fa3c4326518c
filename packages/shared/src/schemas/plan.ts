import { z } from 'zod';
import { userText } from './user-text';

/** Limits shared by the server (validation) and the web app (form hints). */
export const planLimits = {
  goalsMaxLength: 4000,
  constraintsMaxLength: 1000,
  modelMaxLength: 200,
  hoursPerWeekMax: 80,
} as const;

export const planPreferencesSchema = z
  .object({
    hoursPerWeek: z.number().int().min(1).max(planLimits.hoursPerWeekMax).optional(),
    startDate: z.iso.date({ message: 'startDate must be a date like 2026-12-01' }).optional(),
    constraints: userText().trim().max(planLimits.constraintsMaxLength).optional(),
  })
  .strict();
export type PlanPreferences = z.infer<typeof planPreferencesSchema>;

export const createPlanInputSchema = z.object({
  goals: userText()
    .trim()
    .min(1, 'Describe at least one goal')
    .max(
      planLimits.goalsMaxLength,
      `Goals must be at most ${planLimits.goalsMaxLength} characters`,
    ),
  preferences: planPreferencesSchema.optional(),
  model: userText().trim().min(1).max(planLimits.modelMaxLength).optional(),
});
export type CreatePlanInput = z.infer<typeof createPlanInputSchema>;

export const planTaskSchema = z.object({
  title: z.string(),
  detail: z.string().optional(),
  day: z.number().int().min(1).max(7).optional(),
  minutes: z.number().nonnegative().optional(),
});
export type PlanTask = z.infer<typeof planTaskSchema>;

export const planWeekSchema = z.object({
  week: z.number().int(),
  focus: z.string(),
  tasks: z.array(planTaskSchema),
});
export type PlanWeek = z.infer<typeof planWeekSchema>;

/** The document the model is asked to produce (structured output). */
export const planDocumentSchema = z.object({
  title: z.string(),
  monthly_summary: z.string(),
  weeks: z.array(planWeekSchema),
});
export type PlanDocument = z.infer<typeof planDocumentSchema>;

/** A plan document as far as it has streamed: every field may still be missing. */
export type PartialPlanDocument = {
  title?: string;
  monthly_summary?: string;
  weeks?: Array<Partial<Omit<PlanWeek, 'tasks'>> & { tasks?: Array<Partial<PlanTask>> }>;
};

/**
 * JSON Schema sent upstream as `response_format.json_schema.schema`.
 * Written by hand so it stays a plain, provider-friendly subset; a test checks it
 * agrees with `planDocumentSchema`.
 */
export const planDocumentJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'monthly_summary', 'weeks'],
  properties: {
    title: { type: 'string', description: 'A short title for the month' },
    monthly_summary: {
      type: 'string',
      description: 'Two to four sentences: what the month achieves and how',
    },
    weeks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['week', 'focus', 'tasks'],
        properties: {
          week: { type: 'integer', description: 'Week number, starting at 1' },
          focus: { type: 'string' },
          tasks: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['title'],
              properties: {
                title: { type: 'string' },
                detail: { type: 'string' },
                day: { type: 'integer', minimum: 1, maximum: 7 },
                minutes: { type: 'number', minimum: 0 },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** The status of any generation: a plan or a chat reply. */
export const generationStatusSchema = z.enum([
  'generating',
  'completed',
  'failed',
  'cancelled',
  'partial',
]);
export type GenerationStatus = z.infer<typeof generationStatusSchema>;
export type TerminalGenerationStatus = Exclude<GenerationStatus, 'generating'>;
/** @deprecated Use `generationStatusSchema`. */
export const planStatusSchema = generationStatusSchema;
/** @deprecated Use `GenerationStatus` (it was always the status of any generation). */
export type PlanStatus = GenerationStatus;
/** @deprecated Use `TerminalGenerationStatus`. */
export type TerminalPlanStatus = TerminalGenerationStatus;

export const planIdInputSchema = z.object({ planId: userText().min(1).max(100) });

export const continuePlanInputSchema = z.object({
  planId: userText().min(1).max(100),
  /** Another model to finish with; the plan's own model by default. */
  model: userText().trim().min(1).max(planLimits.modelMaxLength).optional(),
});
export type ContinuePlanInput = z.infer<typeof continuePlanInputSchema>;

export const planEventsInputSchema = z.object({
  planId: userText().min(1).max(100),
  lastEventId: userText().max(100).nullish(),
});
export type PlanEventsInput = z.infer<typeof planEventsInputSchema>;

export const listPlansInputSchema = z
  .object({
    cursor: userText().max(200).nullish(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .optional();
export type ListPlansInput = z.infer<typeof listPlansInputSchema>;
