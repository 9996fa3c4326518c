import { type CreatePlanInput, planDocumentJsonSchema } from '@sluice/shared';
import type { ProviderMessage, ProviderRequest } from '../providers/provider';

export interface PlanRequestSettings {
  model: string;
  fallbackModels: readonly string[];
  temperature: number;
  maxTokens: number;
}

const systemPrompt = [
  'You are a planning assistant. Turn the person’s goals into a realistic plan for one month of four weeks.',
  'Reply with one JSON object and nothing else: no markdown, no code fences.',
  'Its fields, in this order: "title" (short), "monthly_summary" (two to four sentences),',
  '"weeks": four objects, each { "week": 1-4, "focus": string, "tasks": [ { "title", "detail", "day" (1 = Monday … 7 = Sunday), "minutes" } ] } with three to five tasks.',
  'Keep the total time within the stated hours per week and respect every constraint.',
].join('\n');

export function planUserMessage(input: CreatePlanInput): string {
  const lines = ['Goals:', input.goals];
  const preferences = input.preferences;
  if (preferences && Object.keys(preferences).length > 0) {
    lines.push('', 'Preferences:');
    if (preferences.hoursPerWeek !== undefined)
      lines.push(`- Hours per week: ${preferences.hoursPerWeek}`);
    if (preferences.startDate) lines.push(`- Start date: ${preferences.startDate}`);
    if (preferences.constraints) lines.push(`- Constraints: ${preferences.constraints}`);
  }
  return lines.join('\n');
}

export function buildPlanRequest(
  input: CreatePlanInput,
  settings: PlanRequestSettings,
): ProviderRequest {
  const messages: ProviderMessage[] = [
    { role: 'system', content: systemPrompt },
    { role: 'user', content: planUserMessage(input) },
  ];
  return {
    model: settings.model,
    fallbackModels: settings.fallbackModels,
    messages,
    temperature: settings.temperature,
    maxTokens: settings.maxTokens,
    responseFormat: { type: 'json_schema', name: 'monthly_plan', schema: planDocumentJsonSchema },
  };
}

export const continueInstruction =
  'Your reply above was cut off. Continue it exactly where it stops: output only the remaining characters of the JSON object, without repeating anything already written and without code fences.';

/**
 * Asks the model to finish a plan whose text was cut off. No response_format: structured
 * output would force a whole new document, and the continuation is only the rest of one.
 */
export function buildContinuationRequest(
  input: CreatePlanInput,
  settings: PlanRequestSettings,
  prefix: string,
): ProviderRequest {
  const base = buildPlanRequest(input, settings);
  return {
    ...base,
    responseFormat: undefined,
    messages: [
      ...base.messages,
      { role: 'assistant', content: prefix },
      { role: 'user', content: continueInstruction },
    ],
  };
}
