import { context, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { GenerationKind } from '../metrics/metrics';
import type { AttemptOutcome } from '../providers/stream-with-retry';

/** The spans of one generation: calls the engine makes as it runs. */
export interface GenerationTrace {
  attemptStarted(attempt: number): void;
  attemptEnded(outcome: AttemptOutcome): void;
  firstToken(): void;
  saveStarted(): void;
  saveEnded(error?: unknown): void;
  end(result: {
    status: string;
    reason?: string;
    errorCode?: string;
    characters: number;
    usage?: { inputTokens: number; outputTokens: number; cost?: number };
  }): void;
}

/** Starts a generation's trace. Absent (undefined) when tracing is off: then nothing runs. */
export interface GenerationTracer {
  start(kind: GenerationKind, id: string, attributes: { model: string }): GenerationTrace;
}

/**
 * One span per generation (`sluice.generation`), with children: one per upstream attempt
 * (`sluice.upstream_attempt`, its outcome: success, retried, failed, aborted) and the final
 * save (`sluice.save`); the first token is an event on the generation's span.
 */
export function createGenerationTracer(tracer: Tracer): GenerationTracer {
  return {
    start(kind, id, attributes) {
      const span = tracer.startSpan('sluice.generation', {
        root: true,
        attributes: {
          'sluice.generation.id': id,
          'sluice.generation.kind': kind,
          'gen_ai.request.model': attributes.model,
        },
      });
      const parent = trace.setSpan(context.active(), span);
      let attemptSpan: Span | undefined;
      let saveSpan: Span | undefined;
      return {
        attemptStarted(attempt) {
          attemptSpan = tracer.startSpan(
            'sluice.upstream_attempt',
            { attributes: { 'sluice.attempt': attempt } },
            parent,
          );
        },
        attemptEnded(outcome) {
          if (!attemptSpan) return;
          attemptSpan.setAttribute('sluice.attempt.outcome', outcome);
          if (outcome === 'retried' || outcome === 'failed') {
            attemptSpan.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          }
          attemptSpan.end();
          attemptSpan = undefined;
        },
        firstToken() {
          span.addEvent('sluice.first_token');
        },
        saveStarted() {
          saveSpan = tracer.startSpan('sluice.save', {}, parent);
        },
        saveEnded(error) {
          if (error) saveSpan?.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          saveSpan?.end();
          saveSpan = undefined;
        },
        end(result) {
          // An attempt still open was cut by an abort the retry wrapper never saw end.
          attemptSpan?.end();
          span.setAttributes({
            'sluice.generation.status': result.status,
            'sluice.generation.characters': result.characters,
            ...(result.reason ? { 'sluice.generation.reason': result.reason } : {}),
            ...(result.errorCode ? { 'sluice.generation.error_code': result.errorCode } : {}),
            ...(result.usage
              ? {
                  'gen_ai.usage.input_tokens': result.usage.inputTokens,
                  'gen_ai.usage.output_tokens': result.usage.outputTokens,
                  ...(result.usage.cost === undefined
                    ? {}
                    : { 'sluice.generation.cost_usd': result.usage.cost }),
                }
              : {}),
          });
          if (result.status === 'failed') {
            span.setStatus({ code: SpanStatusCode.ERROR, message: result.errorCode ?? 'failed' });
          }
          span.end();
        },
      };
    },
  };
}
