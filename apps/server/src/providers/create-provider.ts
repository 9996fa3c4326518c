import { type Simulator, startSimulator } from '@sluice/simulator';
import type { ServerConfig } from '../env';
import { createOpenRouterAdapter } from './openrouter/openrouter-adapter';
import type { ProviderAdapter } from './provider';

/** The upstream the configuration names (starting the bundled simulator when it is that). */
export async function createProvider(
  config: ServerConfig,
): Promise<{ provider: ProviderAdapter; simulator?: Simulator; label: string }> {
  const upstream = config.upstream;
  switch (upstream.kind) {
    case 'openrouter':
      return {
        provider: createOpenRouterAdapter({
          baseUrl: upstream.baseUrl,
          apiKey: upstream.apiKey,
          appName: 'Sluice',
        }),
        label: upstream.baseUrl ?? 'openrouter',
      };
    case 'custom':
      return {
        provider: createOpenRouterAdapter({ baseUrl: upstream.baseUrl }),
        label: upstream.baseUrl,
      };
    case 'simulator': {
      const simulator = await startSimulator({ tokensPerSecond: upstream.tokensPerSecond });
      return {
        provider: createOpenRouterAdapter({ baseUrl: simulator.url }),
        simulator,
        label: `bundled simulator (${simulator.url})`,
      };
    }
  }
}
