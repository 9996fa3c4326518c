import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Which engine a generation ran on. */
export type GenerationKind = 'plan' | 'chat';

/** How an upstream attempt ended: `retried` attempts failed and were tried again. */
export type UpstreamOutcome = 'success' | 'retried' | 'failed' | 'aborted';

/** What a finished generation reports (counted once, at its end: never per token). */
export interface FinishedGeneration {
  status: string;
  /** The end reason; absent for a normal completion. */
  reason?: string;
  /** Seconds from start to the first token, or null when none arrived. */
  timeToFirstTokenSeconds: number | null;
  durationSeconds: number;
  usage?: { inputTokens: number; outputTokens: number; cost?: number | null };
}

/**
 * The recording calls the engine, the routers and the HTTP edge make. Every call is a few
 * map look-ups and additions: cheap enough for the hot path, and none is made per token.
 */
export interface MetricsRecorder {
  generationStarted(kind: GenerationKind): void;
  generationFinished(kind: GenerationKind, finished: FinishedGeneration): void;
  upstreamRequest(provider: string, outcome: UpstreamOutcome): void;
  /** One batched write of partial content took this long. */
  contentFlushed(kind: GenerationKind, seconds: number, generations: number): void;
  quotaRefused(quota: string): void;
  /** A start refused by the per-user rate limit, the running-generation cap or load shedding. */
  startRefused(limit: 'rate-limit' | 'capacity' | 'overloaded'): void;
  /** A request with a bad or missing credential (API key, session, metrics token). */
  authenticationFailed(reason: string): void;
  /** Sign-in or sign-up attempts refused by the per-address or per-account limit. */
  authenticationRateLimited(): void;
}

/**
 * Figures read at scrape time from the parts that already keep them: nothing is recorded on
 * the hot path for these, and they cannot drift from the truth.
 */
export interface MetricSources {
  /** Subscriptions and waiting requests attached to generations (running or finished). */
  subscribers(kind: GenerationKind): number;
  /** Open Server-Sent Events responses of the subscription writer. */
  sseConnections(): number;
  /** Subscribers ended because their queue passed MAX_SUBSCRIBER_QUEUE_BYTES (ever). */
  subscriberQueueDrops(): number;
}

export interface Metrics extends MetricsRecorder {
  readonly registry: Registry;
  /** Connects the scrape-time figures (once the parts that keep them exist). */
  setSources(sources: MetricSources): void;
  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, GC, event-loop lag) on this registry too. */
  processMetrics?: boolean;
  /** The load monitor's last p99 event-loop delay, ms, read at scrape time. */
  eventLoopDelayMs?: () => number;
}

/** Seconds; TTFT is usually under a few seconds, a generation can run for minutes. */
const timeToFirstTokenBuckets = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];
const durationBuckets = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];
const flushBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Caches one bound child per label combination so recording skips label hashing. */
function childCache<TChild>(create: (key: string) => TChild): (key: string) => TChild {
  const children = new Map<string, TChild>();
  return (key) => {
    let child = children.get(key);
    if (!child) {
      child = create(key);
      children.set(key, child);
    }
    return child;
  };
}

/**
 * One registry per server instance (never prom-client's global one: tests run several
 * servers in one process). Names are a contract (API.md "Metrics"): other tools scrape them.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const kinds = ['plan', 'chat'] as const;

  const started = new Counter({
    name: 'sluice_generations_started_total',
    help: 'Generations started, by kind (plan or chat).',
    labelNames: ['kind'],
    registers,
  });
  const finished = new Counter({
    name: 'sluice_generations_finished_total',
    help: 'Generations finished, by kind, status (completed, failed, cancelled, partial) and end reason (none for a normal completion).',
    labelNames: ['kind', 'status', 'reason'],
    registers,
  });
  const timeToFirstToken = new Histogram({
    name: 'sluice_time_to_first_token_seconds',
    help: 'Time from the start of a generation to its first token (retries included).',
    labelNames: ['kind'],
    buckets: timeToFirstTokenBuckets,
    registers,
  });
  const duration = new Histogram({
    name: 'sluice_generation_duration_seconds',
    help: 'Time from the start of a generation to its end, whatever the status.',
    labelNames: ['kind'],
    buckets: durationBuckets,
    registers,
  });
  const active = new Gauge({
    name: 'sluice_active_generations',
    help: 'Generations running on this instance.',
    labelNames: ['kind'],
    registers,
  });
  let sources: MetricSources | undefined;
  new Gauge({
    name: 'sluice_subscribers',
    help: 'Subscriptions (and waiting requests) attached to a generation on this instance.',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const kind of kinds) this.labels(kind).set(sources?.subscribers(kind) ?? 0);
    },
  });
  const tokens = new Counter({
    name: 'sluice_tokens_total',
    help: 'Tokens the providers reported, by kind and direction (input or output).',
    labelNames: ['kind', 'direction'],
    registers,
  });
  const cost = new Counter({
    name: 'sluice_cost_usd_total',
    help: 'Cost the providers reported, USD.',
    labelNames: ['kind'],
    registers,
  });
  const upstream = new Counter({
    name: 'sluice_upstream_requests_total',
    help: 'Upstream attempts by provider and outcome (success, retried, failed, aborted); a retried attempt counts once per try.',
    labelNames: ['provider', 'outcome'],
    registers,
  });
  new Gauge({
    name: 'sluice_sse_connections',
    help: 'Open Server-Sent Events responses (plan.events, chat.events).',
    registers,
    collect() {
      this.set(sources?.sseConnections() ?? 0);
    },
  });
  new Counter({
    name: 'sluice_subscriber_queue_drops_total',
    help: 'Subscribers whose queue passed MAX_SUBSCRIBER_QUEUE_BYTES and whose stream was ended (they reconnect and resume).',
    registers,
    collect() {
      // The writer keeps the running total; a counter cannot be set, so it is re-read.
      this.reset();
      this.inc(sources?.subscriberQueueDrops() ?? 0);
    },
  });
  const flushDuration = new Histogram({
    name: 'sluice_content_flush_duration_seconds',
    help: 'Time one batched write of partial content took.',
    labelNames: ['kind'],
    buckets: flushBuckets,
    registers,
  });
  const flushedGenerations = new Counter({
    name: 'sluice_content_flushed_generations_total',
    help: 'Generations written by content flushes (one per generation per flush).',
    labelNames: ['kind'],
    registers,
  });
  const quotaRefusals = new Counter({
    name: 'sluice_quota_refusals_total',
    help: 'Generations refused because a quota was used up, by quota.',
    labelNames: ['quota'],
    registers,
  });
  const startRefusals = new Counter({
    name: 'sluice_start_refusals_total',
    help: 'Generations refused by a limit: rate-limit (per user per minute), capacity (MAX_ACTIVE_GENERATIONS), overloaded (event-loop delay).',
    labelNames: ['limit'],
    registers,
  });
  const authFailures = new Counter({
    name: 'sluice_authentication_failures_total',
    help: 'Requests refused for a bad or missing credential, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const authRateLimited = new Counter({
    name: 'sluice_authentication_rate_limited_total',
    help: 'Sign-in and sign-up attempts refused by the per-address or per-account limit.',
    registers,
  });
  if (options.eventLoopDelayMs) {
    const read = options.eventLoopDelayMs;
    new Gauge({
      name: 'sluice_event_loop_delay_p99_seconds',
      help: "The event loop's p99 delay over the load monitor's last window (load shedding reads it too).",
      registers,
      collect() {
        this.set(read() / 1000);
      },
    });
  }
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  // Series that exist from the first scrape, so rates and alerts see zeros, not gaps.
  for (const kind of kinds) {
    started.labels(kind).inc(0);
    active.labels(kind).set(0);
    cost.labels(kind).inc(0);
    for (const direction of ['input', 'output']) tokens.labels(kind, direction).inc(0);
  }
  authRateLimited.inc(0);

  const startedOf = childCache((kind) => started.labels(kind));
  const activeOf = childCache((kind) => active.labels(kind));
  const timeToFirstTokenOf = childCache((kind) => timeToFirstToken.labels(kind));
  const durationOf = childCache((kind) => duration.labels(kind));
  const inputTokensOf = childCache((kind) => tokens.labels(kind, 'input'));
  const outputTokensOf = childCache((kind) => tokens.labels(kind, 'output'));
  const costOf = childCache((kind) => cost.labels(kind));
  const finishedOf = childCache((key) => {
    const [kind = '', status = '', reason = ''] = key.split('\u0000');
    return finished.labels(kind, status, reason);
  });
  const upstreamOf = childCache((key) => {
    const [provider = '', outcome = ''] = key.split('\u0000');
    return upstream.labels(provider, outcome);
  });

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    setSources(next) {
      sources = next;
    },
    generationStarted(kind) {
      startedOf(kind).inc();
      activeOf(kind).inc();
    },
    generationFinished(kind, result) {
      activeOf(kind).dec();
      finishedOf(`${kind}\u0000${result.status}\u0000${result.reason ?? 'none'}`).inc();
      if (result.timeToFirstTokenSeconds !== null) {
        timeToFirstTokenOf(kind).observe(result.timeToFirstTokenSeconds);
      }
      durationOf(kind).observe(result.durationSeconds);
      if (result.usage) {
        inputTokensOf(kind).inc(result.usage.inputTokens);
        outputTokensOf(kind).inc(result.usage.outputTokens);
        if (result.usage.cost) costOf(kind).inc(result.usage.cost);
      }
    },
    upstreamRequest(provider, outcome) {
      upstreamOf(`${provider}\u0000${outcome}`).inc();
    },
    contentFlushed(kind, seconds, generations) {
      flushDuration.labels(kind).observe(seconds);
      flushedGenerations.labels(kind).inc(generations);
    },
    quotaRefused(quota) {
      quotaRefusals.labels(quota).inc();
    },
    startRefused(limit) {
      startRefusals.labels(limit).inc();
    },
    authenticationFailed(reason) {
      authFailures.labels(reason).inc();
    },
    authenticationRateLimited() {
      authRateLimited.inc();
    },
  };
}
