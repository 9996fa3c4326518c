import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createGenerationTracer, type GenerationTracer } from './generation-tracer';

export interface OtlpTracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL (traces go to `/v1/traces`). */
  endpoint: string;
  /** OTEL_EXPORTER_OTLP_HEADERS (a vendor's API key). */
  headers: Record<string, string>;
  serviceName: string;
}

export interface OtlpTracing {
  tracer: GenerationTracer;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * A tracer provider of this server's own (not the global one: tests run several servers in
 * one process) exporting spans in batches over OTLP/HTTP (JSON).
 */
export function createOtlpTracing(options: OtlpTracingOptions): OtlpTracing {
  const exporter = new OTLPTraceExporter({
    url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces`,
    headers: options.headers,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  return {
    tracer: createGenerationTracer(provider.getTracer('sluice')),
    shutdown: () => provider.shutdown(),
  };
}
