import type { ProviderName } from '@sluice/shared';
import { defaultOpenRouterModel, simulatorModel } from '../env';
import { routeModel } from '../providers/model-route';
import type { ProviderAdapter, ProviderRequest } from '../providers/provider';
import type { KeySource, ProviderKeyService, ResolvedKey } from './provider-key-service';

/** How one generation reaches its upstream: which key pays, and the request to send. */
export interface GenerationUpstream {
  /** Recorded on the plan or reply (never the key). */
  keySource: KeySource;
  /** Where the generation goes: `anthropic:`/`openai:` models direct, others to OpenRouter. */
  provider: ProviderName;
  /** The request as this generation sends it: with the key that pays for it, if any. */
  prepare(request: ProviderRequest): ProviderRequest;
}

/**
 * Picks the upstream for a generation of `model` started by `userId`: the key of the model's
 * provider (the user's, else the app-wide one, else the environment's, else none). Without a
 * model, OpenRouter's.
 */
export type ResolveUpstream = (
  userId: string | undefined,
  model?: string,
) => Promise<GenerationUpstream>;

export interface UpstreamOptions {
  /** True when the server's own upstream is the bundled simulator (no key, no base URL). */
  simulated: boolean;
}

/** The upstream for a resolved key: a keyed request goes to OpenRouter (see createKeyRoutingAdapter). */
export function upstreamFor(
  resolved: ResolvedKey,
  options: UpstreamOptions,
  provider: ProviderName = 'openrouter',
): GenerationUpstream {
  const { apiKey } = resolved;
  if (!apiKey) return { keySource: resolved.source, provider, prepare: (request) => request };
  return {
    keySource: resolved.source,
    provider,
    prepare(request) {
      // A key reaches real OpenRouter even on a server that otherwise runs on the simulator,
      // which does not know the simulator's model name.
      const model =
        provider === 'openrouter' && options.simulated && request.model === simulatorModel
          ? defaultOpenRouterModel
          : request.model;
      return { ...request, model, apiKey };
    },
  };
}

export function createUpstreamResolver(
  keys: Pick<ProviderKeyService, 'resolveKey'>,
  options: UpstreamOptions,
): ResolveUpstream {
  return async (userId, model) => {
    const provider = routeModel(model ?? '').provider;
    return upstreamFor(await keys.resolveKey(userId, provider), options, provider);
  };
}

/**
 * One adapter for every generation: a request that carries its own key goes to OpenRouter
 * (`keyed`), any other to the server's default upstream (`keyless`: the simulator, a keyless
 * OPENROUTER_BASE_URL, or OpenRouter with the environment's key).
 */
export function createKeyRoutingAdapter(adapters: {
  keyless: ProviderAdapter;
  keyed: ProviderAdapter;
}): ProviderAdapter {
  return {
    name: adapters.keyless.name,
    stream(request, signal) {
      return (request.apiKey ? adapters.keyed : adapters.keyless).stream(request, signal);
    },
  };
}
