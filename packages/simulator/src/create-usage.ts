/** Dollars per token, in the range of a small hosted model. */
export const promptPricePerToken = 0.00000015;
export const completionPricePerToken = 0.0000006;

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
  is_byok: false;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  cost_details: {
    upstream_inference_cost: number;
    upstream_inference_prompt_cost: number;
    upstream_inference_completions_cost: number;
  };
  completion_tokens_details: { reasoning_tokens: number; image_tokens: number };
}

/** Rounds away floating-point noise, as OpenRouter's decimal costs have none. */
function dollars(amount: number): number {
  return Number(amount.toPrecision(6));
}

/** Usage in OpenRouter's shape (see openrouter-chat-usage-empty-choices.sse). */
export function createUsage(promptTokens: number, completionTokens: number): Usage {
  const promptCost = dollars(promptTokens * promptPricePerToken);
  const completionCost = dollars(completionTokens * completionPricePerToken);
  const cost = dollars(promptCost + completionCost);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    cost_details: {
      upstream_inference_cost: cost,
      upstream_inference_prompt_cost: promptCost,
      upstream_inference_completions_cost: completionCost,
    },
    completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0 },
  };
}
