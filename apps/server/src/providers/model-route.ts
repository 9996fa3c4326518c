import type { ProviderName } from '@sluice/shared';

/** Which provider a model string goes to, and the model name that provider knows. */
export interface ModelRoute {
  provider: ProviderName;
  model: string;
}

const directPrefix = /^(anthropic|openai):(.+)$/;

/**
 * `anthropic:<model>` → Anthropic Messages, `openai:<model>` → OpenAI Responses, anything
 * else → OpenRouter unchanged (its own `anthropic/…` ids included).
 */
export function routeModel(model: string): ModelRoute {
  const direct = directPrefix.exec(model);
  if (direct) return { provider: direct[1] as ProviderName, model: direct[2] as string };
  return { provider: 'openrouter', model };
}
