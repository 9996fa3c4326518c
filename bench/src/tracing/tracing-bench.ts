import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import {
  createGenerationEngine,
  createGenerationTracer,
  createInProcessEventBus,
} from '@sluice/server';
import pino from 'pino';

const generations = 3000;
const deltasPerGeneration = 200;
const rounds = 3;

/** A provider that streams `deltasPerGeneration` pieces at once (no network, no timers). */
const provider = {
  name: 'bench',
  async *stream() {
    for (let index = 0; index < deltasPerGeneration; index++) {
      yield { type: 'text-delta' as const, text: 'word ' };
    }
    yield { type: 'usage' as const, inputTokens: 10, outputTokens: deltasPerGeneration };
    yield { type: 'finish' as const, reason: 'stop' };
  },
};

/** Counts the spans and drops them: the cost measured is the SDK's, not a network's. */
function createDiscardingExporter(): SpanExporter & { exported: number } {
  return {
    exported: 0,
    export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]) {
      this.exported += spans.length;
      done({ code: 0 });
    },
    async shutdown() {},
  };
}

async function runGenerations(tracer: Parameters<typeof createGenerationEngine>[0]['tracer']) {
  const engine = createGenerationEngine<{ type: 'none' }>({
    provider,
    bus: createInProcessEventBus(),
    // Nothing is saved: the cost measured is the engine's and the tracer's.
    store: {
      async markAttempt() {},
      async append() {},
      async finish() {
        return true;
      },
      async loadStored() {
        return undefined;
      },
      async recover() {
        return [];
      },
    },
    flush: { intervalMs: 60_000, maxPendingChars: 1_000_000 },
    logger: pino({ level: 'silent' }),
    config: { abandonAfterMs: 60_000, streamingTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    kind: 'plan',
    tracer,
  });
  const logger = pino({ level: 'silent' });
  const started = performance.now();
  for (let index = 0; index < generations; index++) {
    const generation = engine.start({
      id: `generation-${index}`,
      topic: `topic-${index}`,
      request: { model: 'bench', messages: [] },
      logger,
    });
    await generation.done;
  }
  return (performance.now() - started) / generations;
}

/**
 * The cost of OpenTelemetry per generation: the engine alone (a provider that streams 200
 * pieces at once, nothing saved) without a tracer, as when OTEL_EXPORTER_OTLP_ENDPOINT is
 * unset, and with a tracer provider batching to an exporter that drops the spans.
 */
export async function runTracingBench(): Promise<void> {
  const exporter = createDiscardingExporter();
  const traceProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = createGenerationTracer(traceProvider.getTracer('bench'));
  // Warm-up of both paths.
  await runGenerations(undefined);
  await runGenerations(tracer);
  const without: number[] = [];
  const withTracer: number[] = [];
  for (let round = 0; round < rounds; round++) {
    without.push(await runGenerations(undefined));
    withTracer.push(await runGenerations(tracer));
  }
  await traceProvider.shutdown();
  const best = (values: number[]) => Math.min(...values);
  console.log(
    `\nTracing (OpenTelemetry): ${generations.toLocaleString('en')} generations of ${deltasPerGeneration} pieces through the engine, best of ${rounds}; ${exporter.exported.toLocaleString('en')} spans exported`,
  );
  console.table([
    {
      path: 'no OTEL_EXPORTER_OTLP_ENDPOINT (no tracer)',
      'µs per generation': Math.round(best(without) * 1000),
    },
    {
      path: 'with a tracer provider (batch processor)',
      'µs per generation': Math.round(best(withTracer) * 1000),
    },
  ]);
}
