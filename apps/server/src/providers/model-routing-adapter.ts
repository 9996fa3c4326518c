import type { ProviderName } from '@sluice/shared';
import { routeModel } from './model-route';
import type { ProviderAdapter } from './provider';

/**
 * Each provider's two adapters: `keyed` for a request that carries its own key (a user's or
 * the app's: always the real API), `keyless` for the rest (the environment's key, a keyless
 * base URL, or the bundled simulator offline).
 */
export type ProviderAdapters = Record<
  ProviderName,
  { keyless: ProviderAdapter; keyed: ProviderAdapter }
>;

/** One adapter for every generation: picks the provider by the model's prefix, then by key. */
export function createModelRoutingAdapter(adapters: ProviderAdapters): ProviderAdapter {
  return {
    name: 'routed',
    stream(request, signal) {
      const route = routeModel(request.model);
      const pair = adapters[route.provider];
      return (request.apiKey ? pair.keyed : pair.keyless).stream(
        { ...request, model: route.model },
        signal,
      );
    },
  };
}
