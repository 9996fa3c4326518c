import type { EndEvent, GenerationStatus, UsageEvent } from '@sluice/shared';
import type { Logger } from 'pino';
import type { GenerationKind, MetricsRecorder } from '../metrics/metrics';
import type { BilledCost } from '../pricing/billed-cost-poller';
import type { GenerationCosts } from '../pricing/generation-costs';
import { routeModel } from '../providers/model-route';
import type { ProviderAdapter, ProviderRequest, ProviderUsage } from '../providers/provider';
import { type ProviderError, toProviderError } from '../providers/provider-error';
import {
  defaultRetryPolicy,
  type RetryPolicy,
  streamWithRetry,
} from '../providers/stream-with-retry';
import type { GenerationTracer } from '../tracing/generation-tracer';
import { createContentFlusher } from './content-flusher';
import type { EventBus } from './event-bus';
import type { GenerationCluster } from './generation-cluster';
import {
  type AbortReason,
  decideOutcome,
  endEventOf,
  type GenerationResult,
  type GenerationStats,
} from './generation-outcome';
import type { GenerationStore } from './generation-store';
import { createStreamLog, type LoggedEvent, type StreamLog } from './stream-log';

/** Every event a generation publishes: text, its document's semantic events, usage, end. */
export type GenerationEvent<TSemantic extends { type: string }> =
  | { type: 'text-delta'; text: string }
  | UsageEvent
  | EndEvent
  | TSemantic;

/** What goes on the bus: a logged event and the generation it belongs to. */
export type GenerationMessage<TSemantic extends { type: string }> = LoggedEvent<
  GenerationEvent<TSemantic>
> & { generationId: string };

/** The structured-document layer of a generation (the plan parser), if it has one. */
export interface DocumentTracker<TSemantic extends { type: string }> {
  /** Feeds streamed text; returns the semantic events it completed. */
  feed(text: string): TSemantic[];
  /** The stream has ended (any status): events still pending, e.g. a block the text left open. */
  end?(): TSemantic[];
  /** The document as far as it has streamed (a copy, safe to send). */
  snapshot(): unknown;
  /** At the end of a stream that finished normally: the validated document, or why not. */
  finish(): { success: true; json: string } | { success: false; message: string };
}

export interface GenerationSpec<TSemantic extends { type: string }> {
  id: string;
  /** Bus topic the events are published on. */
  topic: string;
  request: ProviderRequest;
  /** Text the generation starts from (a continuation); already saved, not sent to the provider's output. */
  initialText?: string;
  /** Events recorded and published before the stream starts (e.g. chat's message-start). */
  initialEvents?: readonly TSemantic[];
  document?: DocumentTracker<TSemantic>;
  logger: Logger;
  /**
   * The capacity slot reserved for this generation before it was started; released when
   * the generation has finished (its result saved and `end` published).
   */
  slot?: { release(): void };
  /**
   * Runs once the terminal state is saved (by the store's `finish`), before `end` is
   * published: e.g. settling the quota the generation reserved.
   */
  afterFinish?: (result: GenerationResult) => Promise<void>;
  /**
   * Stop the stream (end reason `budget`) before its running cost crosses this, USD: the
   * lower of the per-generation ceiling and what the user may still spend this month.
   */
  costCeilingUsd?: number;
  /** Runs when a stopped generation's bill arrived and replaced its estimate (quota spend). */
  afterBilled?: (change: { previousCost: number | null; billed: BilledCost }) => Promise<void>;
}

export interface LiveGeneration<TSemantic extends { type: string }> {
  readonly id: string;
  readonly log: StreamLog<GenerationEvent<TSemantic>>;
  readonly document: DocumentTracker<TSemantic> | undefined;
  /** Settles with the result once the terminal state is persisted and published. */
  readonly done: Promise<GenerationResult>;
  /** Counts a watcher (subscription or waiting request); returns the release function. */
  attach(): () => void;
}

export interface GenerationEngineConfig {
  /** Abort when nobody has watched for this long. */
  abandonAfterMs: number;
  /** Total time a generation may run. */
  streamingTimeoutMs: number;
  /** Abort when the upstream sends nothing (not even a keep-alive) for this long. */
  idleTimeoutMs: number;
  retryPolicy?: RetryPolicy;
}

/** How streamed text is saved while a generation runs (see createContentFlusher). */
export interface FlushSettings {
  intervalMs: number;
  maxPendingChars: number;
}

export interface GenerationEngineDependencies<TSemantic extends { type: string }> {
  provider: ProviderAdapter;
  bus: EventBus<GenerationMessage<TSemantic>>;
  /** Every write of a generation's progress and outcome goes through it. */
  store: GenerationStore<TSemantic>;
  flush: FlushSettings;
  logger: Logger;
  config: GenerationEngineConfig;
  /** Several instances: leases, watchers elsewhere, cancels elsewhere (absent on one instance). */
  cluster?: GenerationCluster<TSemantic>;
  /** Running cost, settled usage and late bills; without it usage is the provider's as sent. */
  costs?: GenerationCosts;
  now?: () => number;
  /** What the engine runs (plan or chat): the label of its metrics and traces. */
  kind?: GenerationKind;
  /** Counts starts and ends (status, reason, TTFT, duration, tokens, cost) and upstream attempts. */
  metrics?: MetricsRecorder;
  /** Traces each generation (OpenTelemetry); absent when tracing is off, and then costs nothing. */
  tracer?: GenerationTracer;
}

function usageEventOf(usage: NonNullable<GenerationResult['usage']>): UsageEvent {
  return {
    type: 'usage',
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    ...(usage.cost === undefined ? {} : { cost: usage.cost }),
    ...(usage.costSource === undefined ? {} : { costSource: usage.costSource }),
  };
}

export function createGenerationEngine<TSemantic extends { type: string }>(
  dependencies: GenerationEngineDependencies<TSemantic>,
) {
  const { provider, bus, store, config, costs, metrics, tracer, cluster } = dependencies;
  const kind = dependencies.kind ?? 'plan';
  // Partial content is saved through the store on a time and size throttle; each batched
  // write is timed (flush latency on /metrics).
  const flusher = createContentFlusher({
    ...dependencies.flush,
    logger: dependencies.logger,
    write: async (appends) => {
      const startedAt = performance.now();
      try {
        await store.append(appends);
      } finally {
        metrics?.contentFlushed(kind, (performance.now() - startedAt) / 1000, appends.length);
      }
    },
  });
  const now = dependencies.now ?? Date.now;
  const live = new Map<
    string,
    LiveGeneration<TSemantic> & { abort(reason: AbortReason): boolean }
  >();
  /** Attachments not released yet, over every generation (running or finished). */
  let attachments = 0;

  function start(spec: GenerationSpec<TSemantic>): LiveGeneration<TSemantic> {
    if (live.has(spec.id)) throw new Error(`Generation ${spec.id} is already running`);
    const log = createStreamLog<GenerationEvent<TSemantic>>();
    if (spec.initialText) {
      // Not published (subscribers get it in their snapshot), but other instances rebuild the
      // log from the generation's history, so it goes there.
      const recorded = [log.appendText(spec.initialText)];
      for (const semantic of spec.document?.feed(spec.initialText) ?? []) {
        recorded.push(log.appendEvent(semantic));
      }
      for (const logged of recorded) cluster?.record({ ...logged, generationId: spec.id });
    }
    const trace = tracer?.start(kind, spec.id, { model: spec.request.model });
    const controller = new AbortController();
    let abortReason: AbortReason | undefined;
    /** Set once the outcome is decided: a cancel after that changes nothing. */
    let finishing = false;
    let watchers = 0;
    let abandonTimer: NodeJS.Timeout | undefined;

    /** Returns false when the generation was already stopping. */
    function abort(reason: AbortReason): boolean {
      if (abortReason || controller.signal.aborted || finishing) return false;
      abortReason = reason;
      spec.logger.info({ reason }, 'aborting generation');
      controller.abort(new Error(reason));
      return true;
    }

    function armAbandonTimer(): void {
      abandonTimer = setTimeout(abandonUnlessWatchedElsewhere, config.abandonAfterMs);
      abandonTimer.unref();
    }

    /** Nobody here watched for a while: abandon it, unless a subscriber elsewhere watches it. */
    function abandonUnlessWatchedElsewhere(): void {
      if (!cluster) {
        abort('abandoned');
        return;
      }
      cluster.watchedElsewhere(spec.id).then(
        (watched) => {
          if (watchers > 0 || !live.has(spec.id)) return;
          if (watched) armAbandonTimer();
          else abort('abandoned');
        },
        (error: unknown) => {
          // Not knowing is not a reason to stop paid work: ask again later.
          spec.logger.warn({ err: error }, 'could not count the watchers on other instances');
          if (watchers === 0 && live.has(spec.id)) armAbandonTimer();
        },
      );
    }

    function publish(logged: LoggedEvent<GenerationEvent<TSemantic>>): void {
      // The log's fresh event becomes the bus message (no copy per event).
      const message = logged as GenerationMessage<TSemantic>;
      message.generationId = spec.id;
      bus.publish(spec.topic, message);
    }

    // The provider the model routes to (`anthropic:…`, `openai:…`, else OpenRouter).
    const upstreamProvider = routeModel(spec.request.model).provider;

    async function run(): Promise<GenerationResult> {
      // The lease comes before the spending: an instance that dies from here on is recovered.
      await cluster
        ?.acquire(spec.id, spec.topic)
        .catch((error: unknown) =>
          spec.logger.error({ err: error }, 'could not take the lease on the generation'),
        );
      const startedAt = now();
      const totalTimer = setTimeout(() => abort('timeout'), config.streamingTimeoutMs);
      const idleTimer = setTimeout(() => abort('idle-timeout'), config.idleTimeoutMs);
      totalTimer.unref();
      idleTimer.unref();
      const stats: GenerationStats = {
        attempts: 0,
        timeToFirstTokenMs: null,
        durationMs: 0,
        chunks: 0,
        characters: 0,
      };
      let usage: ProviderUsage | undefined;
      let upstreamId: string | undefined;
      const meter = costs?.meter(spec.request, spec.costCeilingUsd);
      /** Counts output (content or reasoning); stops the stream before the ceiling. */
      const meterOutput = (text: string) => {
        if (!meter) return;
        meter.add(text);
        if (meter.reachesCeiling()) abort('budget');
      };
      let finishReason: string | undefined;
      let streamError: ProviderError | undefined;
      let thrown: ProviderError | undefined;

      try {
        const events = streamWithRetry(
          provider,
          spec.request,
          controller.signal,
          config.retryPolicy ?? defaultRetryPolicy,
          {
            onAttempt(attempt) {
              stats.attempts = attempt;
              trace?.attemptStarted(attempt);
              store
                .markAttempt(spec.id, attempt)
                .catch((error: unknown) =>
                  spec.logger.error({ err: error }, 'could not record the attempt'),
                );
            },
            onRetry({ attempt, delayMs, error }) {
              spec.logger.warn({ attempt, delayMs, err: error }, 'retrying the upstream request');
            },
            onAttemptEnd({ outcome }) {
              metrics?.upstreamRequest(upstreamProvider, outcome);
              trace?.attemptEnded(outcome);
            },
          },
        );
        for await (const event of events) {
          idleTimer.refresh();
          switch (event.type) {
            case 'text-delta': {
              if (stats.timeToFirstTokenMs === null) {
                stats.timeToFirstTokenMs = now() - startedAt;
                trace?.firstToken();
              }
              stats.chunks += 1;
              publish(log.appendText(event.text));
              for (const semantic of spec.document?.feed(event.text) ?? []) {
                publish(log.appendEvent(semantic));
              }
              flusher.append(spec.id, event.text);
              meterOutput(event.text);
              break;
            }
            case 'reasoning-delta':
              meterOutput(event.text);
              break;
            case 'response-metadata':
              upstreamId ??= event.id;
              break;
            case 'usage':
              usage = {
                inputTokens: event.inputTokens,
                outputTokens: event.outputTokens,
                cost: event.cost,
                provisional: event.provisional,
              };
              break;
            case 'finish':
              finishReason = event.reason;
              break;
            case 'error':
              // Keep reading: OpenRouter may still send the usage after an error chunk.
              streamError ??= event.error;
              break;
            default:
              break;
          }
        }
      } catch (error) {
        thrown = toProviderError(error, controller.signal);
      } finally {
        clearTimeout(totalTimer);
        clearTimeout(idleTimer);
        if (abandonTimer) clearTimeout(abandonTimer);
      }

      finishing = true;
      for (const semantic of spec.document?.end?.() ?? []) publish(log.appendEvent(semantic));
      const text = log.content();
      stats.durationMs = now() - startedAt;
      stats.characters = text.length;
      const outcome = decideOutcome({
        abortReason,
        thrown,
        streamError,
        finishReason,
        document: spec.document,
      });
      // Nothing produced and nothing reported (a refusal before the first token): no usage.
      const produced = usage !== undefined || (meter?.outputTokens ?? 0) > 0;
      const settled =
        costs && meter && produced ? costs.settle(spec.request, usage, meter) : undefined;
      const finalUsage: GenerationResult['usage'] = settled
        ? {
            inputTokens: settled.inputTokens,
            outputTokens: settled.outputTokens,
            ...(settled.cost === null ? {} : { cost: settled.cost }),
            ...(settled.costSource === null ? {} : { costSource: settled.costSource }),
          }
        : usage && !usage.provisional
          ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cost: usage.cost }
          : undefined;
      const result: GenerationResult = {
        ...outcome,
        text,
        documentJson:
          outcome.documentJson ?? (spec.document ? JSON.stringify(spec.document.snapshot()) : null),
        usage: finalUsage,
        ...(upstreamId ? { upstreamId } : {}),
        stats,
      };
      // One structured line per generation; an early end (failed, cut short, stopped) says
      // why, how much text it kept and what the provider charged, at warn unless the user
      // stopped it.
      const endedEarly = result.status !== 'completed';
      const ending = {
        status: result.status,
        reason: result.reason,
        error: result.error,
        partialLength: endedEarly ? text.length : undefined,
        usage: finalUsage,
        stats,
      };
      if (result.status === 'failed' || result.status === 'partial') {
        spec.logger.warn(ending, 'generation ended early');
      } else {
        spec.logger.info(ending, endedEarly ? 'generation stopped' : 'generation finished');
      }
      metrics?.generationFinished(kind, {
        status: result.status,
        reason: result.reason,
        timeToFirstTokenSeconds:
          stats.timeToFirstTokenMs === null ? null : stats.timeToFirstTokenMs / 1000,
        durationSeconds: stats.durationMs / 1000,
        usage: finalUsage,
      });

      flusher.discard(spec.id);
      trace?.saveStarted();
      try {
        await store.finish(spec.id, result);
        trace?.saveEnded();
        await spec.afterFinish?.(result);
      } catch (error) {
        trace?.saveEnded(error);
        spec.logger.error({ err: error }, 'could not save the finished generation');
      }
      trace?.end({
        status: result.status,
        reason: result.reason,
        errorCode: result.error?.code,
        characters: text.length,
        usage: finalUsage,
      });
      if (finalUsage) publish(log.appendEvent(usageEventOf(finalUsage)));
      publish(log.appendEvent(endEventOf(result)));
      live.delete(spec.id);
      cluster?.release(spec.id);
      if (costs && settled) {
        costs.billLater({
          request: spec.request,
          upstreamId,
          settled,
          onBilled: (billed) => applyBill(billed, settled.cost),
        });
      }
      return result;
    }

    /** A stopped generation's bill arrived: stored over the estimate, then told to subscribers. */
    async function applyBill(billed: BilledCost, previousCost: number | null): Promise<void> {
      try {
        const changed = await store.saveBilledUsage?.(spec.id, { ...billed, costSource: 'billed' });
        if (!changed) return;
        publish(log.appendEvent(usageEventOf({ ...billed, costSource: 'billed' })));
        await spec.afterBilled?.({ previousCost, billed });
      } catch (error) {
        spec.logger.error({ err: error }, 'could not save the billed cost');
      }
    }

    const generation = {
      id: spec.id,
      log,
      document: spec.document,
      done: undefined as unknown as Promise<GenerationResult>,
      attach() {
        watchers += 1;
        attachments += 1;
        if (abandonTimer) clearTimeout(abandonTimer);
        abandonTimer = undefined;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          watchers -= 1;
          attachments -= 1;
          if (watchers === 0 && live.has(spec.id)) armAbandonTimer();
        };
      },
      abort,
    };
    live.set(spec.id, generation);
    metrics?.generationStarted(kind);
    armAbandonTimer();
    generation.done = run().finally(() => spec.slot?.release());
    // Published once the generation is complete (`done`, its timer), since a caught-up
    // subscriber gets them in this call and may attach; run() publishes nothing before its
    // first await, so these still come first.
    for (const event of spec.initialEvents ?? []) publish(log.appendEvent(event));
    return generation;
  }

  return {
    start,
    get(id: string): LiveGeneration<TSemantic> | undefined {
      return live.get(id);
    },
    get size() {
      return live.size;
    },
    /**
     * Watchers (subscriptions, waiting requests) holding an attachment they have not
     * released, over every generation, finished ones included: a leak shows here.
     */
    get watchers() {
      return attachments;
    },
    /**
     * Aborts a running generation and resolves with its result once saved; `cancelled` says
     * whether this call stopped it (false when it was already finishing or stopping).
     * Undefined when no generation with that id is running.
     */
    async cancel(
      id: string,
    ): Promise<{ status: GenerationStatus; cancelled: boolean } | undefined> {
      const generation = live.get(id);
      if (!generation) return cluster?.cancelElsewhere(id);
      const cancelled = generation.abort('cancelled');
      return { status: (await generation.done).status, cancelled };
    },
    /**
     * Stops every generation running here with `reason`, without waiting (this instance was
     * presumed dead and its generations were taken over by another).
     */
    abortAll(reason: AbortReason): void {
      for (const generation of live.values()) generation.abort(reason);
    },
    /** Stops every generation (their partial content is saved as `partial`). */
    async shutdown(): Promise<void> {
      const running = [...live.values()];
      for (const generation of running) generation.abort('server-restart');
      await Promise.allSettled(running.map((generation) => generation.done));
      await flusher.close();
    },
  };
}

export type GenerationEngine<TSemantic extends { type: string }> = ReturnType<
  typeof createGenerationEngine<TSemantic>
>;
