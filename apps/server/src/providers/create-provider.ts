import type { ProviderName } from '@sluice/shared';
import { type Simulator, startSimulator } from '@sluice/simulator';
import type { ServerConfig } from '../env';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter';
import type { ProviderAdapters } from './model-routing-adapter';
import { createOpenAIResponsesAdapter } from './openai/openai-responses-adapter';
import { createOpenRouterAdapter } from './openrouter/openrouter-adapter';

/** How each provider is reached: `key` (the environment's key), `custom` (a keyless base URL), `simulator`. */
export type ProviderMode = 'key' | 'custom' | 'simulator';

export interface CreatedProviders {
  adapters: ProviderAdapters;
  modes: Record<ProviderName, ProviderMode>;
  /** The bundled simulator, started when any provider has neither a key nor a base URL. */
  simulator?: Simulator;
  label: string;
}

function modeOf(apiKey: string | undefined, baseUrl: string | undefined): ProviderMode {
  return apiKey ? 'key' : baseUrl ? 'custom' : 'simulator';
}

/**
 * Every provider's adapters as the configuration names them. A provider with no key and no
 * base URL sends its keyless requests to the bundled simulator (started once, speaking all
 * three wire formats); a request with a stored key always reaches the real API.
 */
export async function createProviders(
  config: ServerConfig,
  options: { generationStatsDelayMs?: number } = {},
): Promise<CreatedProviders> {
  const upstream = config.upstream;
  const modes: Record<ProviderName, ProviderMode> = {
    openrouter:
      upstream.kind === 'openrouter' ? 'key' : upstream.kind === 'custom' ? 'custom' : 'simulator',
    anthropic: modeOf(config.anthropic.apiKey, config.anthropic.baseUrl),
    openai: modeOf(config.openai.apiKey, config.openai.baseUrl),
  };
  const simulator = Object.values(modes).includes('simulator')
    ? await startSimulator({
        tokensPerSecond: config.simulatorTokensPerSecond,
        ...(options.generationStatsDelayMs === undefined
          ? {}
          : { generationStatsDelayMs: options.generationStatsDelayMs }),
      })
    : undefined;
  const openRouterBaseUrl = upstream.kind === 'simulator' ? undefined : upstream.baseUrl;
  const adapters: ProviderAdapters = {
    openrouter: {
      keyless: createOpenRouterAdapter({
        baseUrl: modes.openrouter === 'simulator' ? simulator?.url : openRouterBaseUrl,
        apiKey: upstream.kind === 'openrouter' ? upstream.apiKey : undefined,
        appName: 'Sluice',
      }),
      keyed: createOpenRouterAdapter({ baseUrl: openRouterBaseUrl, appName: 'Sluice' }),
    },
    anthropic: {
      keyless: createAnthropicAdapter({
        baseUrl:
          modes.anthropic === 'simulator' ? simulator?.anthropicUrl : config.anthropic.baseUrl,
        apiKey: config.anthropic.apiKey,
      }),
      keyed: createAnthropicAdapter({ baseUrl: config.anthropic.baseUrl }),
    },
    openai: {
      keyless: createOpenAIResponsesAdapter({
        baseUrl: modes.openai === 'simulator' ? simulator?.openAIUrl : config.openai.baseUrl,
        apiKey: config.openai.apiKey,
      }),
      keyed: createOpenAIResponsesAdapter({ baseUrl: config.openai.baseUrl }),
    },
  };
  const label =
    modes.openrouter === 'simulator'
      ? `bundled simulator (${simulator?.url})`
      : upstream.kind === 'simulator'
        ? 'openrouter'
        : (upstream.baseUrl ?? 'openrouter');
  return { adapters, modes, simulator, label };
}

/** OpenRouter's base URL for its models list and generation stats (the simulator offline). */
export function openRouterApiUrl(config: ServerConfig, simulator: Simulator | undefined): string {
  if (config.upstream.kind === 'simulator') return simulator?.url ?? 'https://openrouter.ai/api/v1';
  return (config.upstream.baseUrl ?? 'https://openrouter.ai/api/v1').replace(/\/+$/, '');
}
