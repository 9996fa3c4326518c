import type { GenerationOutcome, PlanRow } from '@sluice/db';
import type {
  CostSource,
  EndEvent,
  EndReason,
  GenerationStatus,
  StreamError,
  TerminalGenerationStatus,
} from '@sluice/shared';
import type { ProviderUsage } from '../providers/provider';
import type { ProviderError } from '../providers/provider-error';
import type { DocumentTracker, GenerationEvent } from './generation-engine';
import type { StreamLog } from './stream-log';

export interface GenerationStats {
  attempts: number;
  timeToFirstTokenMs: number | null;
  durationMs: number;
  chunks: number;
  characters: number;
}

export interface GenerationResult {
  status: TerminalGenerationStatus;
  reason?: EndReason;
  error?: StreamError;
  text: string;
  /** JSON of the validated document (completed) or of the partial one. */
  documentJson: string | null;
  usage?: GenerationUsage;
  /** The provider's id for the generation (OpenRouter's `gen-…`), when it gave one. */
  upstreamId?: string;
  stats: GenerationStats;
}

/** A generation's usage as settled: the provider's tokens, or counted ones, and its cost. */
export type GenerationUsage = Omit<ProviderUsage, 'provisional'> & { costSource?: CostSource };

/** Why the engine stopped a generation itself. */
export type AbortReason = Extract<
  EndReason,
  | 'cancelled'
  | 'abandoned'
  | 'timeout'
  | 'idle-timeout'
  | 'server-restart'
  | 'instance-lost'
  | 'budget'
>;

export interface OutcomeInput {
  abortReason: AbortReason | undefined;
  thrown: ProviderError | undefined;
  streamError: ProviderError | undefined;
  finishReason: string | undefined;
  document: DocumentTracker<{ type: string }> | undefined;
}

export type Outcome = Pick<GenerationResult, 'status' | 'reason' | 'error'> & {
  documentJson?: string;
};

export function describeProviderError(error: ProviderError): StreamError {
  switch (error.kind) {
    case 'http':
      return { code: 'UPSTREAM_HTTP', message: error.message, retryable: error.isRetryable };
    case 'network':
      return { code: 'NETWORK', message: error.message, retryable: true };
    case 'upstream':
    case 'invalid-chunk':
      return {
        code: 'UPSTREAM_STREAM',
        message: `The model provider reported an error mid-stream: ${error.message}`,
        retryable: error.isRetryable,
      };
    case 'aborted':
      return { code: 'INTERNAL', message: error.message, retryable: true };
  }
}

/** Statuses: a stream is only `completed` when it finished normally and its document validated. */
export function decideOutcome(input: OutcomeInput): Outcome {
  if (input.abortReason) {
    return {
      status: input.abortReason === 'cancelled' ? 'cancelled' : 'partial',
      reason: input.abortReason,
    };
  }
  const failure = input.thrown ?? input.streamError;
  if (failure) {
    return { status: 'failed', reason: 'upstream-error', error: describeProviderError(failure) };
  }
  if (!input.finishReason) return { status: 'partial', reason: 'no-finish-reason' };
  if (input.finishReason === 'length') return { status: 'partial', reason: 'length' };
  if (input.finishReason !== 'stop') {
    return {
      status: 'failed',
      reason: 'upstream-error',
      error: {
        code: 'UPSTREAM_STREAM',
        message: `The model stopped early (finish reason "${input.finishReason}")`,
        retryable: input.finishReason !== 'content_filter',
      },
    };
  }
  if (!input.document) return { status: 'completed' };
  const finished = input.document.finish();
  if (finished.success) return { status: 'completed', documentJson: finished.json };
  return {
    status: 'failed',
    reason: 'invalid-output',
    error: {
      code: 'INVALID_OUTPUT',
      message: `The model's output is not a valid plan: ${finished.message}`,
      retryable: true,
    },
  };
}

export function endEventOf(
  result: Pick<GenerationResult, 'status' | 'reason' | 'error'>,
): EndEvent {
  return {
    type: 'end',
    status: result.status,
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.error ? { error: result.error } : {}),
  };
}

/** Whether a finished generation gives its quota units back: it failed before any token. */
export function failedBeforeFirstToken(result: GenerationResult): boolean {
  return result.status === 'failed' && result.stats.timeToFirstTokenMs === null;
}

/** How a finished generation is saved, for any kind (the store adds its own columns and `now`). */
export function savedOutcomeOf(result: GenerationResult): Omit<GenerationOutcome, 'now'> {
  return {
    status: result.status,
    reason: result.reason ?? null,
    error: result.error ?? null,
    usage: result.usage
      ? {
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          cost: result.usage.cost ?? null,
          costSource: result.usage.costSource ?? null,
        }
      : null,
    upstreamId: result.upstreamId ?? null,
  };
}

/** The outcome columns a saved plan or reply carries (the same names in both tables). */
export type StoredOutcomeRow = Pick<
  PlanRow,
  | 'status_reason'
  | 'error_code'
  | 'error_message'
  | 'error_retryable'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost'
  | 'cost_source'
>;

export function storedStreamError(row: StoredOutcomeRow): StreamError | undefined {
  if (!row.error_code) return undefined;
  return {
    code: row.error_code as StreamError['code'],
    message: row.error_message ?? '',
    retryable: row.error_retryable === 1,
  };
}

/**
 * Ends a log rebuilt from a saved row as the live one ended: usage (if the provider
 * reported it), then `end`. A row still generating gets neither.
 */
export function appendStoredOutcome<TSemantic extends { type: string }>(
  log: StreamLog<GenerationEvent<TSemantic>>,
  status: GenerationStatus,
  row: StoredOutcomeRow,
): void {
  if (status === 'generating') return;
  if (row.input_tokens !== null && row.output_tokens !== null) {
    log.appendEvent({
      type: 'usage',
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      ...(row.cost === null ? {} : { cost: row.cost }),
      ...(row.cost_source === null ? {} : { costSource: row.cost_source }),
    });
  }
  log.appendEvent(
    endEventOf({
      status,
      reason: (row.status_reason as EndReason | null) ?? undefined,
      error: storedStreamError(row),
    }),
  );
}
