import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkDatabase,
  checkDatabaseFile,
  type DatabaseCheck,
  migrateToLatest,
  openDatabase,
} from '@sluice/db';
import type { ChatSemanticEvent, PlanSemanticEvent, SessionUpdatedEvent } from '@sluice/shared';
import type { Simulator } from '@sluice/simulator';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { toNodeHandler } from 'better-auth/node';
import type { Logger } from 'pino';
import { createActivityService } from './activity/activity-service';
import { createAccountRateLimit } from './auth/account-rate-limit';
import { createApiKeys } from './auth/api-keys';
import { createAccountSettings } from './auth/app-settings';
import { resolveAuthSecret } from './auth/auth-secret';
import { type Auth, createAuth } from './auth/create-auth';
import { createCallerResolver } from './auth/resolve-caller';
import { createChatService } from './chat/chat-service';
import { createChatStore } from './chat/chat-store';
import { createContextInner } from './context';
import type { ServerConfig } from './env';
import { QuotaExceededError, RateLimitedError } from './errors';
import { createInProcessEventBus } from './generation/event-bus';
import type { GenerationEngine } from './generation/generation-engine';
import { createGenerationKind } from './generation/generation-kind';
import { createGenerationSlots, type GenerationSlots } from './generation/generation-slots';
import { recoverInterrupted } from './generation/recover-interrupted';
import { createRedisCluster } from './generation/redis-cluster';
import { clientAddressOf, createHttpServer } from './http-server';
import { createLoadMonitor, type LoadMonitorOptions } from './load-monitor';
import { createLogger } from './logger';
import { createMetrics, type Metrics } from './metrics/metrics';
import { createMetricsEndpoint } from './metrics/metrics-endpoint';
import { createOriginPolicy, type OriginPolicy } from './origin-policy';
import { createPlanService } from './plans/plan-service';
import { createPlanStore } from './plans/plan-store';
import { createBilledCostPoller } from './pricing/billed-cost-poller';
import { createGenerationCosts } from './pricing/generation-costs';
import { createPriceRefresher } from './pricing/price-refresher';
import { createPriceTable } from './pricing/price-table';
import { createUpstreamResolver } from './provider-keys/generation-upstream';
import {
  createProviderKeyService,
  type ProviderKeyService,
} from './provider-keys/provider-key-service';
import { verifyStoredKeys } from './provider-keys/verify-stored-keys';
import { createProviders, openRouterApiUrl } from './providers/create-provider';
import { createModelRoutingAdapter } from './providers/model-routing-adapter';
import { withRedactedErrors } from './providers/redacting-provider';
import type { RetryPolicy } from './providers/stream-with-retry';
import { createGenerationRateLimit } from './quotas/generation-rate-limit';
import { createQuotaService } from './quotas/quota-service';
import { currentRequestId } from './request-context';
import { appRouter } from './routers/app-router';
import { createEncryptor } from './secrets/encryptor';
import {
  createSubscriptionHandler,
  type SubscriptionHandler,
} from './subscriptions/subscription-handler';
import { createSubscriptionLimiter } from './subscriptions/subscription-limiter';
import { createWatchHandler, type WatchHandler } from './subscriptions/watch-handler';
import { createOtlpTracing } from './tracing/otlp-tracing';
import { sseSettings } from './trpc';

export interface ServerAppOptions {
  logger?: Logger;
  /** How long the bundled simulator takes to know a generation's bill (tests: short). */
  simulatorGenerationStatsDelayMs?: number;
  /** The waits before each look-up of a stopped OpenRouter generation's bill (tests: short). */
  billingDelaysMs?: readonly number[];
  /** Overrides the retry policy (tests use short delays). */
  retryPolicy?: RetryPolicy;
  /** Partial content waiting longer than flushIntervalMs, or larger than this, is saved. */
  flushMaxPendingChars?: number;
  /** How often the event-loop delay is sampled for load shedding (tests use less). */
  loadWindowMs?: number;
  /** The load monitor's delay source and timers (tests drive them by hand). */
  loadMonitor?: Pick<LoadMonitorOptions, 'sampleDelayMs' | 'repeat' | 'now'>;
  /** Subscribers written per event-loop turn (tests use a few to exercise fan-out mode). */
  subscriptionSliceSize?: number;
  /** Serve plan.events and chat.events through tRPC's own SSE path (a bench baseline). */
  trpcSubscriptionPath?: boolean;
  /** Node's process metrics on /metrics too (default true). */
  processMetrics?: boolean;
}

export interface ServerApp {
  /** Listens on config.host:config.port (0 for any free port); resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
  readonly url: string;
  readonly upstreamLabel: string;
  readonly simulator: Simulator | undefined;
  readonly plans: ReturnType<typeof createPlanService>;
  readonly chat: ReturnType<typeof createChatService>;
  /** Better Auth (available once listening: its base URL needs the real port). */
  readonly auth: Auth;
  /** Users' and the app's provider keys (encrypted at rest). */
  readonly providerKeys: ProviderKeyService;
  /** The cap on running generations that both engines share. */
  readonly generationSlots: GenerationSlots;
  /** The two engines (plans, chat replies), for health figures and tests. */
  readonly engines: {
    readonly plans: GenerationEngine<PlanSemanticEvent>;
    readonly chat: GenerationEngine<ChatSemanticEvent>;
  };
  /** The SSE writer for plan.events and chat.events (its counters are read by tests and the bench). */
  readonly subscriptions: SubscriptionHandler;
  /** This instance's id among several (REDIS_URL), or undefined on one instance. */
  readonly instanceId: string | undefined;
  /** The SSE writer for stream.watch (open watches, their channels). */
  readonly watches: WatchHandler;
  /** This instance's metrics (served on /metrics). */
  readonly metrics: Metrics;
}

/** The shared cap, counting each refused start on /metrics. */
function countRefusedSlots(slots: GenerationSlots, onRefused: () => void): GenerationSlots {
  return {
    tryReserve() {
      const slot = slots.tryReserve();
      if (!slot) onRefused();
      return slot;
    },
    get inUse() {
      return slots.inUse;
    },
    limit: slots.limit,
  };
}

/** Boot: open and migrate the database, recover interrupted plans, wire the engine and the API. */
export async function createServerApp(
  config: ServerConfig,
  options: ServerAppOptions = {},
): Promise<ServerApp> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = openDatabase({ url: config.databaseUrl, logger });
  await migrateToLatest(db);
  // Stored provider keys must decrypt with ENCRYPTION_KEY, or the server does not start.
  const encryptor = config.encryptionKey ? createEncryptor(config.encryptionKey) : undefined;
  try {
    await verifyStoredKeys(db, encryptor);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // Each kind of generation is persisted through its store, and only there.
  const planStore = createPlanStore({ db });
  const chatStore = createChatStore({ db });
  // Several instances (REDIS_URL): a generation left `generating` may be another instance's
  // live work, so only expired leases are recovered (at `cluster.start`). One instance owns
  // everything: whatever is left `generating` was its own.
  const cluster = config.redis
    ? createRedisCluster({
        url: config.redis.url,
        leaseTimeoutMs: config.redis.leaseTimeoutMs,
        streamingTimeoutMs: config.streamingTimeoutMs,
        logger,
      })
    : undefined;
  if (!cluster) await recoverInterrupted({ plans: planStore, replies: chatStore }, logger);
  const planShared = cluster?.kind<PlanSemanticEvent>('plan', planStore);
  const chatShared = cluster?.kind<ChatSemanticEvent>('chat', chatStore);

  const created = await createProviders(config, {
    generationStatsDelayMs: options.simulatorGenerationStatsDelayMs,
  });
  const { simulator, label } = created;
  // Keys never reach clients, stored rows or logs through upstream error text.
  const environmentKeys = {
    openrouter: config.upstream.kind === 'openrouter' ? config.upstream.apiKey : undefined,
    anthropic: config.anthropic.apiKey,
    openai: config.openai.apiKey,
  };
  const provider = withRedactedErrors(
    createModelRoutingAdapter(created.adapters),
    Object.values(environmentKeys).filter((key): key is string => key !== undefined),
  );
  const providerKeys = createProviderKeyService({ db, encryptor, environmentKeys });
  // Prices: the bundled snapshot, the cached refresh, and a daily refresh when online.
  const prices = createPriceTable();
  const openRouterUrl = openRouterApiUrl(config, simulator);
  const priceRefresher = createPriceRefresher({
    db,
    table: prices,
    modelsUrl: `${openRouterUrl}/models`,
    logger,
  });
  // Online, the models list may be slow or unreachable: the boot does not wait for it.
  if (config.upstream.kind === 'openrouter') void priceRefresher.start();
  else await priceRefresher.start();
  const priceRefreshTimer = setInterval(
    () => {
      void priceRefresher.refreshIfStale();
    },
    60 * 60 * 1000,
  );
  priceRefreshTimer.unref();
  const billing = createBilledCostPoller({
    baseUrl: openRouterUrl,
    logger,
    ...(options.billingDelaysMs ? { delaysMs: options.billingDelaysMs } : {}),
  });
  const costs = createGenerationCosts({ prices, poller: billing });
  const resolveUpstream = createUpstreamResolver(providerKeys, {
    simulated: config.upstream.kind === 'simulator',
  });
  // Plans and chat replies run on two instances of the same engine, each with its own
  // bus and its own store.
  const engineConfig = {
    abandonAfterMs: config.abandonAfterMs,
    streamingTimeoutMs: config.streamingTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    retryPolicy: options.retryPolicy,
  };
  const flush = {
    intervalMs: config.flushIntervalMs,
    maxPendingChars: options.flushMaxPendingChars ?? 16_384,
  };
  const serviceConfig = {
    defaultModel: config.defaultModel,
    fallbackModels: config.fallbackModels,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
  };
  const metrics = createMetrics({
    processMetrics: options.processMetrics ?? true,
    eventLoopDelayMs: () => load.delayMs,
  });
  // OpenTelemetry only when OTEL_EXPORTER_OTLP_ENDPOINT is set: otherwise no tracer at all.
  const tracing = config.tracing ? createOtlpTracing(config.tracing) : undefined;
  // Asked once per start, just before a slot is taken: a true answer is a refusal.
  const isOverloaded = () => {
    const overloaded = load.overloaded();
    if (overloaded) metrics.startRefused('overloaded');
    return overloaded;
  };
  // One cap for plans and chat replies together.
  const slots = countRefusedSlots(createGenerationSlots(config.maxActiveGenerations), () =>
    metrics.startRefused('capacity'),
  );
  const quotas = createQuotaService({ db, defaults: config.quotas });
  const startRate = createGenerationRateLimit({ perMinute: config.generationsPerMinute });

  const load = createLoadMonitor({
    maxDelayMs: config.maxEventLoopDelayMs,
    windowMs: options.loadWindowMs,
    ...options.loadMonitor,
  });
  const generationDependencies = {
    provider,
    flush,
    config: engineConfig,
    logger,
    slots,
    isOverloaded,
    quotas,
    startRate,
    costs,
    maxCostPerGenerationUsd: config.maxCostPerGenerationUsd,
    metrics,
    tracer: tracing?.tracer,
  };
  const planKind = createGenerationKind<PlanSemanticEvent>({
    ...generationDependencies,
    kind: 'plan',
    store: planStore,
    ...planShared,
  });
  const plans = createPlanService({
    db,
    ...planKind,
    logger,
    config: serviceConfig,
    resolveUpstream,
    quotas,
  });
  const chatKind = createGenerationKind<ChatSemanticEvent>({
    ...generationDependencies,
    kind: 'chat',
    store: chatStore,
    ...chatShared,
  });
  const chat = createChatService({
    db,
    ...chatKind,
    sessionBus:
      cluster?.noticeBus<SessionUpdatedEvent>('session') ??
      createInProcessEventBus<SessionUpdatedEvent>(),
    logger,
    config: serviceConfig,
    resolveUpstream,
    quotas,
  });
  const planEngine = planKind.engine;
  const chatEngine = chatKind.engine;
  if (cluster) {
    cluster.serve('plan', planEngine);
    cluster.serve('chat', chatEngine);
    try {
      await cluster.start();
    } catch (error) {
      await cluster.close();
      await db.destroy();
      throw error;
    }
  }

  const authSecret = await resolveAuthSecret(db, config.auth.secret);
  const accountSettings = createAccountSettings({
    db,
    defaults: { allowSignUp: config.auth.allowSignUp },
  });
  const accountRateLimit = createAccountRateLimit({
    points: config.auth.rateLimit.perAccount,
    windowSeconds: config.auth.rateLimit.windowSeconds,
  });
  const apiKeys = createApiKeys({ db });
  let auth: Auth | undefined;
  let authHandler: ReturnType<typeof toNodeHandler> | undefined;
  const requireAuth = () => {
    if (!auth) throw new Error('The server is not listening yet');
    return auth;
  };
  const resolveAnyCaller = createCallerResolver({ auth: requireAuth, apiKeys });
  // A credential that was sent and refused (a wrong or revoked key, an ended session) counts.
  const resolveCaller: typeof resolveAnyCaller = async (headers) => {
    const caller = await resolveAnyCaller(headers);
    if (!caller && headers.authorization !== undefined) metrics.authenticationFailed('api-key');
    else if (!caller && headers.cookie !== undefined) metrics.authenticationFailed('session');
    return caller;
  };

  const dependencies = {
    plans,
    chat,
    apiKeys,
    accountSettings,
    providerKeys,
    quotas,
    activity: createActivityService({
      db,
      // Past days are cached once every generation started on them has ended.
      settleMs: Math.max(3_600_000, config.streamingTimeoutMs + 60_000),
    }),
    logger,
    simulated: config.upstream.kind === 'simulator',
    defaultModel: config.defaultModel,
    providerModes: created.modes,
    prices,
  };
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    // The HTTP server enforces both first, with clearer messages; these are a backstop.
    maxBatchSize: config.edge.maxBatchSize,
    maxBodySize: config.edge.maxBodyBytes,
    // Per HTTP request, so a revoked key or ended session is refused at the next request,
    // and a subscription at its next reconnect.
    createContext: async ({ req }) =>
      createContextInner(dependencies, await resolveCaller(req.headers)),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        logger.error({ err: error, path, requestId: currentRequestId() }, 'request failed');
      if (error.cause instanceof QuotaExceededError) metrics.quotaRefused(error.cause.quota);
      else if (error.cause instanceof RateLimitedError) metrics.startRefused('rate-limit');
    },
  });
  // One count for plan.events, chat.events and every channel of stream.watch.
  const subscriptionLimiter = createSubscriptionLimiter(config.subscriptions);
  // Subscriptions count against their account; an anonymous request (refused by the
  // procedure) against its address.
  const subscriptionClientKey = (
    request: IncomingMessage,
    context: Awaited<ReturnType<typeof createContextInner>>,
  ) =>
    context.caller
      ? `user:${context.caller.userId}`
      : `address:${clientAddressOf(request, config.auth.trustProxy)}`;
  const subscriptions = createSubscriptionHandler({
    router: appRouter,
    paths: ['plan.events', 'chat.events'],
    basePath: '/trpc/',
    // Per request, like tRPC's handler: a reconnect checks the key or session again.
    createContext: async (request) =>
      createContextInner(dependencies, await resolveCaller(request.headers)),
    limiter: subscriptionLimiter,
    clientKey: subscriptionClientKey,
    pingIntervalMs: sseSettings.pingIntervalMs,
    clientOptions: { reconnectAfterInactivityMs: sseSettings.reconnectAfterInactivityMs },
    maxQueuedBytes: config.subscriptions.maxQueuedBytes,
    sliceSize: options.subscriptionSliceSize,
    onError(error, path) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        logger.error({ err: error, path }, 'request failed');
    },
  });
  const watches = createWatchHandler({
    router: appRouter,
    basePath: '/trpc/',
    createContext: async (request) =>
      createContextInner(dependencies, await resolveCaller(request.headers)),
    limiter: subscriptionLimiter,
    clientKey: subscriptionClientKey,
    pingIntervalMs: sseSettings.pingIntervalMs,
    clientOptions: { reconnectAfterInactivityMs: sseSettings.reconnectAfterInactivityMs },
    maxQueuedBytes: config.subscriptions.maxQueuedBytes,
    onError(error, path) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        logger.error({ err: error, path }, 'request failed');
    },
  });
  metrics.setSources({
    subscribers: (kind) => (kind === 'plan' ? planEngine : chatEngine).watchers,
    sseConnections: () => subscriptions.stats().open + watches.stats().open,
    subscriberQueueDrops: () => subscriptions.stats().overflows + watches.stats().overflows,
  });
  let ready = false;
  let originPolicy: OriginPolicy | undefined;
  // The probes find a deleted database file; the log says so once, not on every probe.
  let databaseProblem: string | undefined;
  const reportDatabase = (check: DatabaseCheck): DatabaseCheck => {
    const problem = check.ok ? undefined : check.reason;
    if (problem && problem !== databaseProblem) logger.error({ reason: problem }, problem);
    databaseProblem = problem;
    return check;
  };
  const server = createHttpServer({
    trpcHandler,
    subscriptionHandler: options.trpcSubscriptionPath
      ? undefined
      : (request, response) =>
          watches.handle(request, response) || subscriptions.handle(request, response),
    authHandler: (request, response) => {
      if (!authHandler) {
        response.writeHead(503).end();
        return;
      }
      // Refused sign-ins (a wrong password) and attempts over the rate limits count.
      response.once('finish', () => {
        if (response.statusCode === 429) metrics.authenticationRateLimited();
        else if (response.statusCode === 401 && request.url?.includes('/sign-in'))
          metrics.authenticationFailed('password');
      });
      authHandler(request, response).catch(() => response.destroy());
    },
    trustProxy: config.auth.trustProxy,
    isReady: () => ready,
    checkLiveness: () => reportDatabase(checkDatabaseFile(db)),
    readinessProbes: [
      { name: 'database', check: async () => reportDatabase(await checkDatabase(db)) },
      ...(cluster
        ? [
            {
              name: 'redis',
              check: async () =>
                (await cluster.ping())
                  ? ({ ok: true } as const)
                  : ({ ok: false, reason: 'Redis does not answer' } as const),
            },
          ]
        : []),
    ],
    metricsHandler: createMetricsEndpoint({ metrics, token: config.metricsToken }),
    webDistDir: config.webDistDir,
    limits: config.edge,
    originPolicy: () => originPolicy,
  });
  let url = '';

  return {
    get url() {
      return url;
    },
    upstreamLabel: label,
    simulator,
    plans,
    chat,
    get auth() {
      return requireAuth();
    },
    providerKeys,
    generationSlots: slots,
    engines: { plans: planEngine, chat: chatEngine },
    subscriptions,
    instanceId: cluster?.instanceId,
    watches,
    metrics,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
      originPolicy = createOriginPolicy({
        publicOrigin: config.edge.publicOrigin,
        allowedOrigins: config.edge.allowedOrigins,
        host: config.host,
        port: address.port,
      });
      auth = createAuth({
        db,
        secret: authSecret,
        baseUrl: originPolicy.origins[0] ?? url,
        trustedOrigins: originPolicy.origins,
        rateLimit: {
          perIp: config.auth.rateLimit.perIp,
          windowSeconds: config.auth.rateLimit.windowSeconds,
        },
        accountRateLimit,
        accountSettings,
        logger,
      });
      authHandler = toNodeHandler(auth);
      ready = true;
      return url;
    },
    async close() {
      ready = false;
      // Running generations stop and keep their partial content.
      await Promise.all([planEngine.shutdown(), chatEngine.shutdown()]);
      // Its generations ended and released their leases: leave the cluster.
      await cluster?.close();
      load.close();
      subscriptions.close();
      watches.close();
      // Subscribers get their `end` event; then connections close (forcibly after a grace period).
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(force);
      clearInterval(priceRefreshTimer);
      await billing.close();
      await db.destroy();
      await simulator?.close();
      await tracing?.shutdown();
    },
  };
}
