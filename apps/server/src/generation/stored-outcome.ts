import type { EndReason, GenerationStatus, StreamError } from '@sluice/shared';
import { endEventOf, type GenerationEvent } from './generation-engine';
import type { StreamLog } from './stream-log';

/** The outcome columns a saved plan or reply carries. */
export interface StoredOutcomeRow {
  status_reason: string | null;
  error_code: string | null;
  error_message: string | null;
  error_retryable: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
}

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
