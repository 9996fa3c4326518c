import type { Usage } from './create-usage';
import type { SimulatorClock } from './simulator-clock';

/** What OpenRouter's `GET /api/v1/generation?id=` answers about one generation (the fields Sluice reads). */
export interface GenerationStats {
  id: string;
  model: string;
  created_at: string;
  tokens_prompt: number;
  tokens_completion: number;
  native_tokens_prompt: number;
  native_tokens_completion: number;
  total_cost: number;
  usage: number;
  cancelled: boolean;
  finish_reason: string | null;
  streamed: boolean;
  provider_name: string;
}

/**
 * Generation stats, as OpenRouter keeps them: known only a while after the generation ends
 * (`delayMs`), for cancelled generations too (billed for what was sent).
 */
export function createGenerationStats(clock: SimulatorClock, delayMs: number) {
  const stats = new Map<string, { readyAt: number; value: GenerationStats }>();
  return {
    record(input: {
      id: string;
      model: string;
      receivedAt: number;
      usage: Usage;
      cancelled: boolean;
      finishReason: string | null;
      streamed: boolean;
    }): void {
      stats.set(input.id, {
        readyAt: clock.now() + delayMs,
        value: {
          id: input.id,
          model: input.model,
          created_at: new Date(input.receivedAt).toISOString(),
          tokens_prompt: input.usage.prompt_tokens,
          tokens_completion: input.usage.completion_tokens,
          native_tokens_prompt: input.usage.prompt_tokens,
          native_tokens_completion: input.usage.completion_tokens,
          total_cost: input.usage.cost,
          usage: input.usage.cost,
          cancelled: input.cancelled,
          finish_reason: input.finishReason,
          streamed: input.streamed,
          provider_name: 'Sluice Simulator',
        },
      });
    },
    /** The stats once they are ready; undefined before (OpenRouter answers 404 then). */
    find(id: string): GenerationStats | undefined {
      const entry = stats.get(id);
      return entry && clock.now() >= entry.readyAt ? entry.value : undefined;
    },
  };
}

export type GenerationStatsStore = ReturnType<typeof createGenerationStats>;
