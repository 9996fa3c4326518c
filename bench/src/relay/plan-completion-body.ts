import { planDocumentJsonSchema } from '@sluice/shared';

const systemPrompt = [
  'You are a planning assistant. Turn the person’s goals into a realistic plan for one month of four weeks.',
  'Reply with one JSON object and nothing else: no markdown, no code fences.',
].join('\n');

/** The body Sluice sends for a plan (same fields and shape), for the raw relay to send too. */
export function planCompletionBody(model: string, goals: string): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: systemPrompt },
      { role: 'user', content: `Goals:\n${goals}` },
    ],
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0.7,
    max_tokens: 4000,
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'monthly_plan', strict: false, schema: planDocumentJsonSchema },
    },
  });
}
