import type { Logger } from 'pino';
import type { GenerationKind, MetricsRecorder } from '../metrics/metrics';
import type { GenerationCosts } from '../pricing/generation-costs';
import type { ProviderAdapter } from '../providers/provider';
import type { GenerationRateLimit } from '../quotas/generation-rate-limit';
import type { QuotaService } from '../quotas/quota-service';
import type { GenerationTracer } from '../tracing/generation-tracer';
import { createInProcessEventBus, type EventBus } from './event-bus';
import type { GenerationCluster } from './generation-cluster';
import {
  createGenerationEngine,
  type FlushSettings,
  type GenerationEngineConfig,
  type GenerationMessage,
} from './generation-engine';
import type { GenerationSlots } from './generation-slots';
import { createGenerationStarter } from './generation-starter';
import type { GenerationStore } from './generation-store';

export interface GenerationKindDependencies<TSemantic extends { type: string }> {
  provider: ProviderAdapter;
  /** Where this kind is saved. */
  store: GenerationStore<TSemantic>;
  /** Where its live events travel (in-process unless given). */
  bus?: EventBus<GenerationMessage<TSemantic>>;
  /** Several instances (Redis): leases, watchers and cancels across instances. */
  cluster?: GenerationCluster<TSemantic>;
  flush: FlushSettings;
  config: GenerationEngineConfig;
  logger: Logger;
  /** Shared by every kind: one cap on running generations. */
  slots: GenerationSlots;
  isOverloaded: () => boolean;
  quotas: QuotaService;
  startRate: GenerationRateLimit;
  /** Running cost, settled usage and late bills (see createGenerationCosts). */
  costs?: GenerationCosts;
  /** MAX_COST_PER_GENERATION_USD: the ceiling on one generation's cost, if any. */
  maxCostPerGenerationUsd?: number;
  /** Labels this kind's metrics and traces. */
  kind: GenerationKind;
  metrics?: MetricsRecorder;
  /** Absent when tracing is off. */
  tracer?: GenerationTracer;
}

/**
 * One kind of generation (plans, chat replies) wired together: its bus, its engine writing
 * through its store, and the starter its feature uses.
 */
export function createGenerationKind<TSemantic extends { type: string }>(
  dependencies: GenerationKindDependencies<TSemantic>,
) {
  const { store, slots, isOverloaded, quotas, startRate } = dependencies;
  const bus = dependencies.bus ?? createInProcessEventBus<GenerationMessage<TSemantic>>();
  const engine = createGenerationEngine<TSemantic>({
    provider: dependencies.provider,
    bus,
    store,
    cluster: dependencies.cluster,
    flush: dependencies.flush,
    logger: dependencies.logger,
    config: dependencies.config,
    costs: dependencies.costs,
    kind: dependencies.kind,
    metrics: dependencies.metrics,
    tracer: dependencies.tracer,
  });
  const starter = createGenerationStarter({
    engine,
    bus,
    cluster: dependencies.cluster,
    slots,
    isOverloaded,
    quotas,
    startRate,
    maxCostPerGenerationUsd: dependencies.maxCostPerGenerationUsd,
  });
  return { bus, engine, store, starter, cluster: dependencies.cluster };
}
